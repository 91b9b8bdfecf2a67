// `npm run scale`: the scale-out topology of docs/deployment.md on this machine. N = 1, 2, 4 idplane
// instances (the bundle, as `npm start` runs it) behind HAProxy (round robin, /readyz checks), all
// sharing one Postgres database through PgBouncer in transaction mode; plus one instance straight on
// Postgres as the baseline. Signed GetUserPool load from autocannon through the balancer; per N:
// throughput, p99, errors, and the CPU each component spent per request (from /proc), so the reading
// can say what saturates first. Rewrites the block between the scale markers of bench/REPORT.md.
// Needs DATABASE_URL (a Postgres server; a database of its own is created and dropped), pgbouncer
// and haproxy (apt-get install -y pgbouncer haproxy). Knobs: SCALE_CONNECTIONS (32),
// SCALE_DURATION (5 s), SCALE_RUNS (3), SCALE_COUNTS ("1,2,4").
import { execSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { sql } from "kysely";
import { connectDatabase } from "../src/platform/db/connect.js";
import { ownDatabase } from "../test/support/infra/child-server.js";
import { startHaproxy, type Haproxy } from "../test/support/infra/haproxy.js";
import { startPgbouncer } from "../test/support/infra/pgbouncer.js";
import { callOnce, load, median, newCredentials, serviceEnv, startFlags, startServer, type Server } from "./load.js";

const baseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const settings = {
  connections: Number(process.env.SCALE_CONNECTIONS ?? 32),
  durationS: Number(process.env.SCALE_DURATION ?? 5),
  warmupS: 2,
  runs: Number(process.env.SCALE_RUNS ?? 3),
  counts: (process.env.SCALE_COUNTS ?? "1,2,4").split(",").map(Number),
};
const creds = newCredentials();
const accountId = String(randomInt(3_000_000_000, 2 ** 47));
const POOL_SIZE = 20;

/** user + system CPU of a process in ms, 0 once it is gone (a Postgres backend may end mid-run). */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** Busy and total jiffies of the whole machine (every session on it, not only this run). */
function machine(): { busy: number; total: number } {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3]! - f[4]!, total };
}

interface Components {
  instances: number[];
  haproxy?: number | undefined;
  pgbouncer?: number | undefined;
  backends: () => Promise<number[]>;
}

interface Row {
  name: string;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** CPU µs per request, per component. */
  us: Record<"instances" | "haproxy" | "pgbouncer" | "postgres" | "loadgen", number>;
  /** Cores the components used together, and the machine's busy share (all sessions). */
  cores: number;
  machineBusy: number;
}

async function measure(name: string, port: number, c: Components, poolUid: string): Promise<Row> {
  const body = () => JSON.stringify({ UserPoolUid: poolUid });
  const request = { action: "GetUserPool", creds, makeBody: body };
  process.stderr.write(`scale: ${name} (warm-up ${settings.warmupS}s, ${settings.runs} x ${settings.durationS}s)\n`);
  await load([{ port, connections: settings.connections }], settings.warmupS, request);
  const runs: Row[] = [];
  for (let i = 0; i < settings.runs; i++) {
    const backends = await c.backends();
    const pids = { instances: c.instances, haproxy: [c.haproxy], pgbouncer: [c.pgbouncer], postgres: backends };
    const sum = (xs: (number | undefined)[]) => xs.reduce<number>((s, p) => s + (p === undefined ? 0 : cpuMs(p)), 0);
    const before = Object.fromEntries(Object.entries(pids).map(([k, v]) => [k, sum(v)]));
    const gen0 = process.cpuUsage();
    const m0 = machine();
    const started = performance.now();
    const r = await load([{ port, connections: settings.connections }], settings.durationS, request);
    const wallMs = performance.now() - started;
    const m1 = machine();
    const gen = process.cpuUsage(gen0);
    const used = Object.fromEntries(Object.entries(pids).map(([k, v]) => [k, sum(v) - before[k]!])) as Record<string, number>;
    used.loadgen = (gen.user + gen.system) / 1000;
    const perReq = (ms: number) => (r.requests ? (ms * 1000) / r.requests : 0);
    runs.push({
      name,
      reqPerSec: r.reqPerSec,
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      errors: r.errors + r.non2xx,
      us: {
        instances: perReq(used.instances!),
        haproxy: perReq(used.haproxy!),
        pgbouncer: perReq(used.pgbouncer!),
        postgres: perReq(used.postgres!),
        loadgen: perReq(used.loadgen),
      },
      cores: Object.values(used).reduce((a, b) => a + b, 0) / wallMs,
      machineBusy: (m1.busy - m0.busy) / (m1.total - m0.total),
    });
  }
  const med = (f: (r: Row) => number) => median(runs.map(f));
  return {
    name,
    reqPerSec: med((r) => r.reqPerSec),
    p50Ms: med((r) => r.p50Ms),
    p99Ms: med((r) => r.p99Ms),
    errors: runs.reduce((s, r) => s + r.errors, 0),
    us: {
      instances: med((r) => r.us.instances),
      haproxy: med((r) => r.us.haproxy),
      pgbouncer: med((r) => r.us.pgbouncer),
      postgres: med((r) => r.us.postgres),
      loadgen: med((r) => r.us.loadgen),
    },
    cores: med((r) => r.cores),
    machineBusy: med((r) => r.machineBusy),
  };
}

async function main() {
  execSync("npm run -s build", { stdio: "inherit" });
  const own = await ownDatabase(baseUrl, "idplane_scale");
  const bouncer = await startPgbouncer(own.url, { poolSize: POOL_SIZE });
  const admin = await connectDatabase({ databaseUrl: own.url, maxConnections: 1 });
  const dbName = new URL(own.url).pathname.slice(1);
  const backends = async () =>
    (
      await sql<{ pid: number }>`select pid from pg_stat_activity where datname = ${dbName} and pid <> pg_backend_pid()`.execute(admin.db)
    ).rows.map((r) => r.pid);
  const rows: Row[] = [];
  const servers: Server[] = [];
  let lb: Haproxy | undefined;
  try {
    // Baseline: one instance straight on Postgres, no balancer, no pooler (bench scenario C's set-up).
    const direct = await startServer("direct", "dist/main.js", serviceEnv(own.url, creds, accountId), startFlags());
    servers.push(direct);
    const pool = await callOnce(direct.port, creds, "CreateUserPool", { Name: "scale" });
    rows.push(await measure("1 instance, straight to Postgres", direct.port, { instances: [direct.child.pid!], backends }, pool.Uid));
    await direct.stop();
    servers.length = 0;

    const pooled = { ...serviceEnv(bouncer.url(own.url), creds, accountId), DATABASE_POOLER: "pgbouncer" };
    for (const n of settings.counts) {
      for (let i = 0; i < n; i++) servers.push(await startServer(`instance ${i + 1}`, "dist/main.js", pooled, startFlags()));
      lb = await startHaproxy(servers.map((s) => s.port));
      // Until HAProxy's first health checks have passed for every instance.
      await new Promise((r) => setTimeout(r, 1500));
      rows.push(
        await measure(
          `${n} instance${n > 1 ? "s" : ""} behind HAProxy, PgBouncer`,
          lb.port,
          {
            instances: servers.map((s) => s.child.pid!),
            haproxy: lb.pid,
            pgbouncer: bouncer.pid,
            backends,
          },
          pool.Uid,
        ),
      );
      await lb.stop();
      lb = undefined;
      await Promise.all(servers.map((s) => s.stop()));
      servers.length = 0;
    }
  } finally {
    await lb?.stop();
    await Promise.all(servers.map((s) => (s.child.exitCode === null ? s.stop() : undefined)));
    await admin.close();
    await bouncer.stop();
    await own.drop();
  }
  writeReport(rows);
}

function writeReport(rows: Row[]) {
  const commit = execSync("git rev-parse --short HEAD").toString().trim();
  const f = (x: number) => x.toFixed(0);
  const lines = [
    `Generated by \`npm run scale\` on ${new Date().toISOString()}; commit ${commit}; ${cpus().length} cores shared with the load generator and Postgres (and other sessions: see machine busy).`,
    `Load: autocannon, ${settings.connections} connections through the balancer, signed GetUserPool, ${settings.warmupS} s warm-up then ${settings.runs} runs of ${settings.durationS} s; medians of the runs. PgBouncer: transaction mode, ${POOL_SIZE} server connections; each instance opens up to 10.`,
    "",
    "| set-up | req/s | p50 ms | p99 ms | errors | CPU µs/req: instances | HAProxy | PgBouncer | Postgres | load generator | cores used | machine busy |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.name} | ${f(r.reqPerSec)} | ${r.p50Ms} | ${r.p99Ms} | ${r.errors} | ${f(r.us.instances)} | ${f(r.us.haproxy)} | ${f(r.us.pgbouncer)} | ${f(r.us.postgres)} | ${f(r.us.loadgen)} | ${r.cores.toFixed(2)} | ${(r.machineBusy * 100).toFixed(0)} % |`,
    ),
  ];
  const url = new URL("./REPORT.md", import.meta.url);
  let report = readFileSync(url, "utf8");
  const [start, end] = ["<!-- scale:start -->", "<!-- scale:end -->"];
  const block = `${start}\n${lines.join("\n")}\n${end}`;
  report = report.includes(start)
    ? report.slice(0, report.indexOf(start)) + block + report.slice(report.indexOf(end) + end.length)
    : `${report}\n${block}\n`;
  writeFileSync(url, report);
  process.stdout.write(lines.join("\n") + "\n");
}

main().catch((err) => {
  process.stderr.write(`scale failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
