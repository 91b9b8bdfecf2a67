// `npm run bench`: micro-benchmarks, then scenarios A-F and the two-instance run, then
// bench/REPORT.md with the figures of this one run and the ratios the targets are stated in.
import { execSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { randomInt } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { runMicro } from "./micro.js";
import {
  callOnce,
  newCredentials,
  removeDir,
  scenario,
  serviceEnv,
  settings,
  startFlags,
  startServer,
  tempDir,
  type Server,
} from "./load.js";
import { deepListScenarios } from "./scenarios/list-users.js";
import { measureStartup, type StartupFigures } from "./startup.js";

const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const accountId = String(randomInt(3_000_000_000, 2 ** 47));
const creds = newCredentials();
const servers: Server[] = [];
const dataDir = tempDir();

// The servers under test run as `npm start` runs them: from the bundle, with its Node flags.
const SERVICE_ENTRY = "dist/main.js";

async function main() {
  execSync("npm run -s build", { stdio: "inherit" });
  process.stderr.write("bench: micro-benchmarks\n");
  const micro = await runMicro();
  process.stderr.write("bench: start-up and single-client latency\n");
  const startup = await measureStartup(databaseUrl, accountId);

  const service = await startServer("service (Postgres)", SERVICE_ENTRY, serviceEnv(databaseUrl, creds, accountId), startFlags());
  servers.push(service);
  const pool = await callOnce(service.port, creds, "CreateUserPool", { Name: `bench-${Date.now()}` });
  const ceiling = await startServer("ceiling", "bench/servers/ceiling.ts", {});
  const floor = await startServer("db floor", "bench/servers/db-floor.ts", {
    DATABASE_URL: databaseUrl,
    BENCH_ACCOUNT_ID: accountId,
    BENCH_POOL_UID: pool.Uid,
  });
  servers.push(ceiling, floor);

  const c = settings.connections;
  const getBody = () => JSON.stringify({ UserPoolUid: pool.Uid });
  let n = 0;
  const results = [];
  results.push({
    id: "A",
    ...(await scenario("A. ceiling: bare Hono, static envelope", [{ port: ceiling.port, connections: c, pid: ceiling.child.pid }], {
      action: "GetUserPool",
      creds,
      makeBody: getBody,
    })),
    rss: ceiling.peakRssMb(),
  });
  // A and B receive the same signed requests as C (and ignore the signature), so the load generator
  // does the same work in all three and the ratios compare the servers alone.
  results.push({
    id: "B",
    ...(await scenario(
      "B. database floor: unsigned indexed SELECT (postgres.js)",
      [{ port: floor.port, connections: c, pid: floor.child.pid }],
      { action: "GetUserPool", creds, makeBody: getBody },
    )),
    rss: floor.peakRssMb(),
  });
  results.push({
    id: "C",
    ...(await scenario("C. GetUserPool, signed, Postgres", [{ port: service.port, connections: c, pid: service.child.pid }], {
      action: "GetUserPool",
      creds,
      makeBody: getBody,
    })),
    rss: service.peakRssMb(),
  });
  results.push({
    id: "D",
    ...(await scenario("D. CreateUserPool, signed, Postgres", [{ port: service.port, connections: c, pid: service.child.pid }], {
      action: "CreateUserPool",
      creds,
      makeBody: () => JSON.stringify({ Name: `b-${process.pid}-${n++}` }),
    })),
    rss: service.peakRssMb(),
  });
  const lists = await deepListScenarios(service, creds, accountId, databaseUrl, c);
  results.push({ id: "E1", ...lists.first, rss: service.peakRssMb() });
  results.push({ id: "E", ...lists.deep, rss: service.peakRssMb() });

  const second = await startServer("service 2 (Postgres)", SERVICE_ENTRY, serviceEnv(databaseUrl, creds, accountId), startFlags());
  servers.push(second);
  const scaled = await scenario(
    "C x2. GetUserPool on two instances, one Postgres",
    [
      { port: service.port, connections: c / 2, pid: service.child.pid },
      { port: second.port, connections: c / 2, pid: second.child.pid },
    ],
    { action: "GetUserPool", creds, makeBody: getBody },
  );
  await second.stop();

  // PGlite by name: the default embedded engine is now Postgres (`npm run bench:embedded` compares both).
  const embedded = await startServer(
    "service (PGlite)",
    SERVICE_ENTRY,
    {
      ...serviceEnv(undefined, creds, accountId, dataDir),
      ID_EMBEDDED_ENGINE: "pglite",
    },
    startFlags(),
  );
  servers.push(embedded);
  const pglitePool = await callOnce(embedded.port, creds, "CreateUserPool", { Name: "bench" });
  results.push({
    id: "F",
    ...(await scenario("F. GetUserPool, signed, embedded PGlite", [{ port: embedded.port, connections: c, pid: embedded.child.pid }], {
      action: "GetUserPool",
      creds,
      makeBody: () => JSON.stringify({ UserPoolUid: pglitePool.Uid }),
    })),
    rss: embedded.peakRssMb(),
  });

  writeReport(micro, results, scaled, startup);
}

function writeReport(micro: Awaited<ReturnType<typeof runMicro>>, results: any[], scaled: any, startup: StartupFigures) {
  const by = (id: string) => results.find((r) => r.id === id);
  const ratio = (a: string, b: string) => (by(a) && by(b) ? (by(a).reqPerSec / by(b).reqPerSec).toFixed(2) : "n/a");
  const verify = micro.find((m) => m.name === "verify: cached signing key")!;
  const maxServiceRss = Math.max(...results.filter((r) => ["C", "D", "E1", "E"].includes(r.id)).map((r) => r.rss));
  const commit = execSync("git rev-parse --short HEAD").toString().trim();
  const dirty = execSync("git status --porcelain -- src bench").toString().trim() ? " (with uncommitted changes)" : "";
  const lines = [
    `Generated by \`npm run bench\` on ${new Date().toISOString()}.`,
    "",
    `- Machine: ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; shared and noisy, so only figures of one run are compared.`,
    `- Node ${process.version}; commit ${commit}${dirty}; Postgres at ${new URL(databaseUrl).host}.`,
    `- Load: autocannon, ${settings.connections} connections, ${settings.warmupS} s warm-up, then ${settings.runs} runs of ${settings.durationS} s; every request signed afresh (x-date, x-content-sha256) in the load generator. Figures are medians of the runs. The load generator, the servers and Postgres share the machine's cores.`,
    "",
    "## Scenarios",
    "",
    "| scenario | req/s | p50 ms | p99 ms | server CPU µs/req | non-2xx | errors | server peak RSS MB |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.reqPerSec.toFixed(0)} | ${r.p50Ms} | ${r.p99Ms} | ${r.serverCpuUsPerReq.toFixed(0)} | ${r.non2xx} | ${r.errors} | ${r.rss.toFixed(0)} |`,
    ),
    `| ${scaled.name} | ${scaled.reqPerSec.toFixed(0)} | ${scaled.p50Ms} | ${scaled.p99Ms} | ${scaled.serverCpuUsPerReq.toFixed(0)} | ${scaled.non2xx} | ${scaled.errors} | |`,
    "",
    "## Targets (ratios from this run)",
    "",
    `| target | measured | met |`,
    `|---|---|---|`,
    `| C ≥ 0.8 × B (service adds ≤ 20% over the database round trip) | C/B = ${ratio("C", "B")} | ${Number(ratio("C", "B")) >= 0.8 ? "yes" : "no"} |`,
    `| signature verification with a cached key ≤ 10 µs | ${(verify.medianNs / 1000).toFixed(2)} µs median | ${verify.medianNs <= 10_000 ? "yes" : "no"} |`,
    `| E: a page deep in the cursor within 1.5 × the first page (issue 3) | E2/E1 p50 = ${(by("E").p50Ms / Math.max(by("E1").p50Ms, 1)).toFixed(2)}, req/s E1/E2 = ${(by("E1").reqPerSec / by("E").reqPerSec).toFixed(2)} | ${by("E1").reqPerSec / by("E").reqPerSec <= 1.5 ? "yes" : "no"} |`,
    `| service RSS under load < 200 MB | ${maxServiceRss.toFixed(0)} MB peak (C, D, E) | ${maxServiceRss < 200 ? "yes" : "no"} |`,
    "",
    `Server CPU per request: C/B = ${by("B") ? (by("C").serverCpuUsPerReq / by("B").serverCpuUsPerReq).toFixed(2) : "n/a"} (what the service adds, independent of how the machine's two cores were shared).`,
    "",
    `Other ratios: C/A = ${ratio("C", "A")}, B/A = ${ratio("B", "A")}, D/C = ${ratio("D", "C")}, F/C = ${ratio("F", "C")}, two instances / one = ${(scaled.reqPerSec / by("C").reqPerSec).toFixed(2)}.`,
    "",
    "## Start-up and single-client latency",
    "",
    `Spawn of \`dist/main.js\` to its listening line (median of 3): embedded PGlite, new data directory ${startup.pgliteFreshMs.toFixed(0)} ms; existing data directory ${startup.pgliteExistingMs.toFixed(0)} ms; Postgres ${startup.postgresMs.toFixed(0)} ms (the bundle \`npm start\` builds; \`npm run dev\` runs the sources through tsx instead).`,
    "",
    `One signed GetUserPool at a time on Postgres (2,000 sequential calls with fetch): p50 ${startup.sequentialGetUserPool.p50Ms} ms, p99 ${startup.sequentialGetUserPool.p99Ms} ms, ${startup.sequentialGetUserPool.reqPerSec.toFixed(0)} req/s.`,
    "",
    "## Micro-benchmarks (tinybench, median per operation)",
    "",
    "| operation | median µs | ops/s |",
    "|---|---:|---:|",
    ...micro.map((m) => `| ${m.name} | ${(m.medianNs / 1000).toFixed(2)} | ${m.opsPerSec} |`),
    "",
  ];
  const reportUrl = new URL("./REPORT.md", import.meta.url);
  let report = "";
  try {
    report = readFileSync(reportUrl, "utf8");
  } catch {}
  const start = "<!-- generated:start -->";
  const end = "<!-- generated:end -->";
  const generated = `${start}\n${lines.join("\n")}\n${end}`;
  // The measured part is replaced; the written analysis around it stays.
  report = report.includes(start)
    ? report.slice(0, report.indexOf(start)) + generated + report.slice(report.indexOf(end) + end.length)
    : generated + "\n";
  writeFileSync(reportUrl, report);
  process.stdout.write(lines.join("\n") + "\n");
}

main()
  .catch((err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await Promise.all(servers.map((s) => (s.child.exitCode === null ? s.stop() : undefined)));
    removeDir(dataDir);
  });
