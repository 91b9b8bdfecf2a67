// `npm run bench:floor`: the one target the request path is held to between full runs (the guide:
// "keep the signed read within 10 % of its floor ratio"): C, a signed GetUserPool on Postgres,
// against B, the database floor (an unsigned indexed SELECT through postgres.js), with the same
// signed requests from the same load generator. B and C alternate run by run (B C B C ...), so a
// change in what else the shared machine is doing lands on both; the figures are medians, and the
// server CPU per request is reported too because it does not depend on how the cores were shared.
// Prints the figures; `npm run bench` writes the full report.
import { execSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { callOnce, load, median, newCredentials, serviceEnv, settings, startServer, type RunResult, type Server } from "./load.js";

const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

async function main() {
  execSync("npm run -s build", { stdio: "inherit" });
  const accountId = String(randomInt(3_000_000_000, 2 ** 47));
  const creds = newCredentials();
  const servers: Server[] = [];
  try {
    const service = await startServer("service (Postgres)", "dist/main.js", serviceEnv(databaseUrl, creds, accountId));
    servers.push(service);
    const pool = await callOnce(service.port, creds, "CreateUserPool", { Name: `floor-${Date.now()}` });
    const floor = await startServer("db floor", "bench/servers/db-floor.ts", { DATABASE_URL: databaseUrl, BENCH_ACCOUNT_ID: accountId, BENCH_POOL_UID: pool.Uid });
    servers.push(floor);
    const request = { action: "GetUserPool", creds, makeBody: () => JSON.stringify({ UserPoolUid: pool.Uid }) };
    const c = settings.connections;
    const targetB = [{ port: floor.port, connections: c, pid: floor.child.pid }];
    const targetC = [{ port: service.port, connections: c, pid: service.child.pid }];
    await load(targetB, settings.warmupS, request);
    await load(targetC, settings.warmupS, request);
    const b: RunResult[] = [];
    const cs: RunResult[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      b.push(await load(targetB, settings.durationS, request));
      cs.push(await load(targetC, settings.durationS, request));
      process.stderr.write(`bench:floor round ${i + 1}: B ${b.at(-1)!.reqPerSec.toFixed(0)} req/s, C ${cs.at(-1)!.reqPerSec.toFixed(0)} req/s\n`);
    }
    const perRound = b.map((x, i) => cs[i]!.reqPerSec / x.reqPerSec);
    const commit = execSync("git rev-parse --short HEAD").toString().trim();
    const load1 = execSync("cat /proc/loadavg").toString().split(" ")[0];
    console.log([
      `bench:floor on ${new Date().toISOString()}, commit ${commit}, load average ${load1} at the end; ${ROUNDS} alternating rounds of ${settings.durationS} s, ${c} connections`,
      `B (database floor): median ${median(b.map((x) => x.reqPerSec)).toFixed(0)} req/s, server CPU ${median(b.map((x) => x.serverCpuUsPerReq)).toFixed(0)} µs/req`,
      `C (signed GetUserPool): median ${median(cs.map((x) => x.reqPerSec)).toFixed(0)} req/s, p99 ${median(cs.map((x) => x.p99Ms))} ms, server CPU ${median(cs.map((x) => x.serverCpuUsPerReq)).toFixed(0)} µs/req, non-2xx ${cs.reduce((s, x) => s + x.non2xx, 0)}`,
      `C/B per round: ${perRound.map((r) => r.toFixed(2)).join(" ")}; median ${median(perRound).toFixed(2)}`,
    ].join("\n"));
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
