// `npm run bench:embedded` (issue 16): both embedded engines and Postgres mode in one run, on the
// built entry point as `npm start` runs it. Per engine: first start on a fresh data directory and a
// restart on it (wall time, and the CPU time of the whole process tree, which a loaded machine does
// not inflate the way it inflates wall time), the idle tree's PSS, the tree's peak PSS and RSS under
// load, and signed GetUserPool and CreateUser req/s, set against Postgres mode's. Writes the figures
// between the embedded markers of bench/REPORT.md (the written reading around them stays).
import { spawn, execSync, type ChildProcess } from "node:child_process";
import { randomInt } from "node:crypto";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { callOnce, median, newCredentials, removeDir, scenario, serviceEnv, settings, tempDir, type Credentials } from "../load.js";
import { pssMb, samplePeaks, treeCpuMs } from "./tree.js";

const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const startRuns = Number(process.env.BENCH_START_RUNS ?? 3);
const creds = newCredentials();
const accountId = String(randomInt(3_000_000_000, 2 ** 47));
type Engine = "pglite" | "postgres";

interface Started {
  child: ChildProcess;
  port: number;
  wallMs: number;
  cpuMs: number;
  stop(): Promise<void>;
}

let nextPort = 21_000 + randomInt(0, 2000);

/** Spawn to "listening", with the tree's CPU at that moment; generous bound (a loaded machine). */
async function start(env: Record<string, string>): Promise<Started> {
  const port = nextPort++;
  const t0 = performance.now();
  const child = spawn(process.execPath, ["dist/main.js"], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "warn", ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stderr!.on("data", (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 300 s:\n${out}`)), 300_000);
    child.stdout!.on("data", (d: Buffer) => {
      if (out.length < 20_000) out += d;
      if (/listening/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`exited ${code}:\n${out}`)));
  });
  const wallMs = performance.now() - t0;
  const cpuMs = treeCpuMs(child.pid!);
  child.stdout!.removeAllListeners("data");
  child.stdout!.resume();
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return { child, port, wallMs, cpuMs, stop };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function embeddedEnv(engine: Engine, dataDir: string) {
  return { ...serviceEnv(undefined, creds, accountId, dataDir), ID_EMBEDDED_ENGINE: engine };
}

/** A fresh data directory that the user Postgres runs as (when this runs as root) can reach. */
function freshDataDir(): { parent: string; dataDir: string } {
  const parent = tempDir();
  chmodSync(parent, 0o755);
  return { parent, dataDir: join(parent, ".idplane") };
}

async function loadFigures(label: string, s: Started, c: Credentials) {
  const pool = await callOnce(s.port, c, "CreateUserPool", { Name: `bench-${label}-${Date.now()}` });
  let n = 0;
  const peaks = samplePeaks(s.child.pid!);
  const get = await scenario(`GetUserPool, signed, ${label}`, [{ port: s.port, connections: settings.connections, pid: s.child.pid }], {
    action: "GetUserPool",
    creds: c,
    makeBody: () => JSON.stringify({ UserPoolUid: pool.Uid }),
  });
  const create = await scenario(`CreateUser, signed, ${label}`, [{ port: s.port, connections: settings.connections, pid: s.child.pid }], {
    action: "CreateUser",
    creds: c,
    makeBody: () => JSON.stringify({ UserPoolUid: pool.Uid, Email: `u${process.pid}-${n++}@bench.example` }),
  });
  return { get, create, peak: peaks() };
}

async function measureEngine(engine: Engine) {
  const first: Started[] = [];
  const restart: Started[] = [];
  let idlePss = 0;
  let figures: Awaited<ReturnType<typeof loadFigures>> | undefined;
  for (let i = 0; i < startRuns; i++) {
    const { parent, dataDir } = freshDataDir();
    process.stderr.write(`bench:embedded: ${engine} first start ${i + 1}/${startRuns}\n`);
    const a = await start(embeddedEnv(engine, dataDir));
    first.push(a);
    await a.stop();
    const b = await start(embeddedEnv(engine, dataDir));
    restart.push(b);
    if (i === startRuns - 1) {
      // Idle: after start-up settles, before any request.
      await sleep(5000);
      idlePss = pssMb(b.child.pid!);
      figures = await loadFigures(`embedded ${engine}`, b, creds);
    }
    await b.stop();
    removeDir(parent);
  }
  const med = (xs: Started[], k: "wallMs" | "cpuMs") => median(xs.map((x) => x[k]));
  return {
    engine,
    firstWallMs: med(first, "wallMs"),
    firstCpuMs: med(first, "cpuMs"),
    restartWallMs: med(restart, "wallMs"),
    restartCpuMs: med(restart, "cpuMs"),
    idlePss,
    ...figures!,
  };
}

async function main() {
  execSync("npm run -s build", { stdio: "inherit" });
  const results = [];
  for (const engine of ["pglite", "postgres"] as const) results.push(await measureEngine(engine));
  process.stderr.write("bench:embedded: Postgres mode\n");
  const pg = await start(serviceEnv(databaseUrl, creds, accountId));
  await sleep(5000);
  const pgIdle = pssMb(pg.child.pid!);
  const pgFigures = await loadFigures("Postgres mode", pg, creds);
  await pg.stop();
  writeReport(results, { idlePss: pgIdle, ...pgFigures });
}

type EngineResult = Awaited<ReturnType<typeof measureEngine>>;

function writeReport(engines: EngineResult[], pg: { idlePss: number } & Awaited<ReturnType<typeof loadFigures>>) {
  const f0 = (x: number) => x.toFixed(0);
  const f2 = (x: number) => x.toFixed(2);
  const commit = execSync("git rev-parse --short HEAD").toString().trim();
  const load = execSync("cat /proc/loadavg").toString().trim().split(" ").slice(0, 3).join(" ");
  const chosen = engines.find((e) => e.engine === "postgres")!;
  const target = (ok: boolean) => (ok ? "met" : "**missed**");
  const lines = [
    `Generated by \`npm run bench:embedded\` on ${new Date().toISOString()}; commit ${commit}; ${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load average at the end ${load} (the machine is shared).`,
    `Starts: median of ${startRuns}, each on a fresh data directory, then a restart on it. Load: autocannon, ${settings.connections} connections, ${settings.warmupS} s warm-up, median of ${settings.runs} runs of ${settings.durationS} s, every request signed afresh. Memory: the whole process tree (node and every postgres process), PSS from /proc/<pid>/smaps_rollup; RSS summed over the tree counts shared pages once per process.`,
    "",
    "| | embedded PGlite | embedded Postgres | Postgres mode (server not counted) |",
    "|---|---:|---:|---:|",
    ...rows(engines, pg, f0, f2),
    "",
    "| target (embedded Postgres, the default) | figure | |",
    "|---|---:|---|",
    `| idle tree PSS < 150 MB | ${f0(chosen.idlePss)} MB | ${target(chosen.idlePss < 150)} |`,
    `| first start < 2 s | ${f2(chosen.firstCpuMs / 1000)} s CPU, ${f2(chosen.firstWallMs / 1000)} s wall | CPU ${target(chosen.firstCpuMs < 2000)}, wall ${target(chosen.firstWallMs < 2000)} |`,
    `| signed GetUserPool ≥ 0.8 × Postgres mode | ${f2(chosen.get.reqPerSec / pg.get.reqPerSec)} × | ${target(chosen.get.reqPerSec / pg.get.reqPerSec >= 0.8)} |`,
  ];
  const url = new URL("../REPORT.md", import.meta.url);
  const start = "<!-- embedded:start -->";
  const end = "<!-- embedded:end -->";
  let report = readFileSync(url, "utf8");
  const generated = `${start}\n${lines.join("\n")}\n${end}`;
  report = report.includes(start)
    ? report.slice(0, report.indexOf(start)) + generated + report.slice(report.indexOf(end) + end.length)
    : `${report.trimEnd()}\n\n## Embedded engines (issue 16)\n\n${generated}\n`;
  writeFileSync(url, report);
  process.stdout.write(lines.join("\n") + "\n");
}

function rows(
  engines: EngineResult[],
  pg: { idlePss: number } & Awaited<ReturnType<typeof loadFigures>>,
  f0: (x: number) => string,
  f2: (x: number) => string,
): string[] {
  const [a, b] = engines as [EngineResult, EngineResult];
  const both = (label: string, get: (e: EngineResult) => string, pgValue = "") => `| ${label} | ${get(a)} | ${get(b)} | ${pgValue} |`;
  return [
    both("first start, wall", (e) => `${f2(e.firstWallMs / 1000)} s`),
    both("first start, CPU of the tree", (e) => `${f2(e.firstCpuMs / 1000)} s`),
    both("restart, wall", (e) => `${f2(e.restartWallMs / 1000)} s`),
    both("restart, CPU of the tree", (e) => `${f2(e.restartCpuMs / 1000)} s`),
    both("idle, tree PSS", (e) => `${f0(e.idlePss)} MB`, `${f0(pg.idlePss)} MB`),
    both("under load, peak tree PSS", (e) => `${f0(e.peak.pssMb)} MB`, `${f0(pg.peak.pssMb)} MB`),
    both("under load, peak tree RSS (summed)", (e) => `${f0(e.peak.rssMb)} MB`, `${f0(pg.peak.rssMb)} MB`),
    both(
      "GetUserPool, signed",
      (e) => `${f0(e.get.reqPerSec)} req/s (${f2(e.get.reqPerSec / pg.get.reqPerSec)} ×)`,
      `${f0(pg.get.reqPerSec)} req/s`,
    ),
    both("GetUserPool p99", (e) => `${f0(e.get.p99Ms)} ms`, `${f0(pg.get.p99Ms)} ms`),
    both(
      "CreateUser, signed",
      (e) => `${f0(e.create.reqPerSec)} req/s (${f2(e.create.reqPerSec / pg.create.reqPerSec)} ×)`,
      `${f0(pg.create.reqPerSec)} req/s`,
    ),
    both(
      "errors / non-2xx",
      (e) => `${e.get.errors + e.create.errors} / ${e.get.non2xx + e.create.non2xx}`,
      `${pg.get.errors + pg.create.errors} / ${pg.get.non2xx + pg.create.non2xx}`,
    ),
  ];
}

main().catch((err) => {
  process.stderr.write(`bench:embedded failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
