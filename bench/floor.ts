// `npm run bench:floor`: the one target the request path is held to between full runs (issue 27:
// C at >= 0.8 of D in req/s, <= 1.25x its server CPU per request): C, a signed GetUserPool on
// Postgres, against D, the data floor (an unsigned route running GetUserPool's own statement: the
// whole pool row, its custom attributes and active domain, answered as JSON), and B, the old
// database floor (an unsigned SELECT of the row alone), kept as a line for continuity. All three
// get the same signed requests from the same load generator and alternate round by round
// (D B C D B C ...), so a change in what else the shared machine is doing lands on each; the
// figures are medians, and the server CPU per request is reported too because it does not depend on
// how the cores were shared. Rounds default to 5 x 6 s (under 3 minutes a run); BENCH_ROUNDS and
// BENCH_FLOOR_DURATION make longer runs. Prints the figures; `npm run bench` writes the full report.
import { execSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { callOnce, load, median, newCredentials, serviceEnv, settings, startServer, type RunResult, type Server } from "./load.js";

const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION_S = Number(process.env.BENCH_FLOOR_DURATION ?? 6);

type Figures = { name: string; runs: RunResult[] };
const reqPerSec = (f: Figures) => median(f.runs.map((x) => x.reqPerSec));
const cpuPerReq = (f: Figures) => median(f.runs.map((x) => x.serverCpuUsPerReq));
/** One line per scenario: median req/s, p99, server CPU per request, non-2xx over all rounds. */
const line = (f: Figures) =>
  `${f.name}: median ${reqPerSec(f).toFixed(0)} req/s, p99 ${median(f.runs.map((x) => x.p99Ms))} ms, server CPU ${cpuPerReq(f).toFixed(0)} µs/req, non-2xx ${f.runs.reduce((s, x) => s + x.non2xx, 0)}`;
/** C against a floor: the per-round req/s ratios and their median, and the CPU per request ratio. */
function against(c: Figures, floor: Figures, label: string) {
  const perRound = floor.runs.map((x, i) => c.runs[i]!.reqPerSec / x.reqPerSec);
  return `C/${label} req/s per round: ${perRound.map((r) => r.toFixed(2)).join(" ")}; median ${median(perRound).toFixed(2)}; server CPU per request C/${label} ${(cpuPerReq(c) / cpuPerReq(floor)).toFixed(2)}x`;
}

async function main() {
  execSync("npm run -s build", { stdio: "inherit" });
  const accountId = String(randomInt(3_000_000_000, 2 ** 47));
  const creds = newCredentials();
  const servers: Server[] = [];
  try {
    const service = await startServer("service (Postgres)", "dist/main.js", serviceEnv(databaseUrl, creds, accountId));
    servers.push(service);
    const pool = await callOnce(service.port, creds, "CreateUserPool", { Name: `floor-${Date.now()}` });
    const dbFloor = await startServer("db floor", "bench/servers/db-floor.ts", {
      DATABASE_URL: databaseUrl,
      BENCH_ACCOUNT_ID: accountId,
      BENCH_POOL_UID: pool.Uid,
    });
    servers.push(dbFloor);
    const dataFloor = await startServer("data floor", "bench/servers/data-floor.ts", {
      DATABASE_URL: databaseUrl,
      BENCH_ACCOUNT_ID: accountId,
      BENCH_POOL_UID: pool.Uid,
    });
    servers.push(dataFloor);
    const request = { action: "GetUserPool", creds, makeBody: () => JSON.stringify({ UserPoolUid: pool.Uid }) };
    const c = settings.connections;
    const scenarios = [
      { figures: { name: "D (data floor: GetUserPool's statement, unsigned)", runs: [] as RunResult[] }, server: dataFloor },
      { figures: { name: "B (old database floor: the row alone, unsigned)", runs: [] as RunResult[] }, server: dbFloor },
      { figures: { name: "C (signed GetUserPool)", runs: [] as RunResult[] }, server: service },
    ].map((x) => ({ ...x, target: [{ port: x.server.port, connections: c, pid: x.server.child.pid }] }));
    for (const s of scenarios) await load(s.target, settings.warmupS, request);
    for (let i = 0; i < ROUNDS; i++) {
      for (const s of scenarios) s.figures.runs.push(await load(s.target, DURATION_S, request));
      process.stderr.write(
        `bench:floor round ${i + 1}: ${scenarios.map((s) => `${s.figures.name[0]} ${s.figures.runs.at(-1)!.reqPerSec.toFixed(0)}`).join(", ")} req/s\n`,
      );
    }
    const [d, b, cs] = scenarios.map((s) => s.figures) as [Figures, Figures, Figures];
    const commit = execSync("git rev-parse --short HEAD").toString().trim();
    const loadavg = execSync("cat /proc/loadavg").toString().split(" ").slice(0, 3).join(" ");
    console.log(
      [
        `bench:floor on ${new Date().toISOString()}, commit ${commit}, load average ${loadavg} at the end; ${ROUNDS} alternating rounds of ${DURATION_S} s, ${c} connections`,
        ...[d, b, cs].map(line),
        against(cs, d, "D"),
        against(cs, b, "B"),
        `peak RSS: ${scenarios.map((s) => `${s.figures.name[0]} ${s.server.peakRssMb().toFixed(0)} MB`).join(", ")}`,
      ].join("\n"),
    );
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
