// `npm run bench:floor`: the targets the request path is held to between full runs (issue 27: the
// signed action at >= 0.8 of its data floor in req/s, <= 1.25x its server CPU per request). C, the
// signed action on Postgres, against D, its data floor (bench/servers/data-floor.ts: an unsigned
// route sending the action's own statements in the same round trips, answering the rows as JSON).
// For GetUserPool (the default) B, the old database floor (an unsigned SELECT of the row alone), is
// kept as a line for continuity. BENCH_ACTION picks the action: GetUserPool, GetUser, ListUsers (a
// page of 100 of a pool of BENCH_LIST_USERS users, default 1000) or ListUserPools (the first page of
// 10 of an account with 20 pools).
//
// All servers get the same signed requests from the same load generator and alternate round by
// round (D B C D B C ...), so a change in what else the shared machine is doing lands on each; the
// figures are medians, and the server CPU per request is reported too because it does not depend on
// how the cores were shared. BENCH_BEFORE=<commit> adds C0, the same action served by that commit's
// sources (bundled from `git archive` into dist-before/, run with the flags of that commit's
// `npm start`), to the same rounds: a step's before and
// after in one run. The service runs with the Node flags of `npm start`. BENCH_CPU_PROF=<dir> writes a
// CPU profile of each service (`node --cpu-prof`) to <dir>. Rounds default to 5 x 6 s; BENCH_ROUNDS
// and BENCH_FLOOR_DURATION make longer runs; BENCH_PORT pins the first port, BENCH_SERVICE_ENV gives C
// alone extra settings (see main). Prints the figures.
import { execSync } from "node:child_process";
import { randomInt } from "node:crypto";
import {
  callOnce,
  load,
  median,
  newCredentials,
  serviceEnv,
  settings,
  startFlags,
  startServer,
  type Credentials,
  type RunResult,
  type Server,
} from "./load.js";
import { buildBefore } from "./before.js";

const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION_S = Number(process.env.BENCH_FLOOR_DURATION ?? 6);
const ACTION = process.env.BENCH_ACTION ?? "GetUserPool";
const BEFORE = process.env.BENCH_BEFORE;
const CPU_PROF = process.env.BENCH_CPU_PROF;
const LIST_USERS = Number(process.env.BENCH_LIST_USERS ?? 1000);

type Figures = { name: string; runs: RunResult[] };
const reqPerSec = (f: Figures) => median(f.runs.map((x) => x.reqPerSec));
const cpuPerReq = (f: Figures) => median(f.runs.map((x) => x.serverCpuUsPerReq));
/** One line per scenario: median req/s, p99, server CPU per request, non-2xx over all rounds. */
const line = (f: Figures) =>
  `${f.name}: median ${reqPerSec(f).toFixed(0)} req/s, p99 ${median(f.runs.map((x) => x.p99Ms))} ms, server CPU ${cpuPerReq(f).toFixed(0)} µs/req, non-2xx ${f.runs.reduce((s, x) => s + x.non2xx + x.errors, 0)}`;
/** A scenario against a floor: the per-round req/s ratios and their median, and the CPU per request ratio. */
function against(c: Figures, floor: Figures, label: string) {
  const perRound = floor.runs.map((x, i) => c.runs[i]!.reqPerSec / x.reqPerSec);
  return `${c.name.split(" ")[0]}/${label} req/s per round: ${perRound.map((r) => r.toFixed(2)).join(" ")}; median ${median(perRound).toFixed(2)}; server CPU per request ${c.name.split(" ")[0]}/${label} ${(cpuPerReq(c) / cpuPerReq(floor)).toFixed(2)}x`;
}

/** The fixtures an action reads, made through the API; returns the action's parameters. */
async function fixtures(port: number, creds: Credentials): Promise<Record<string, unknown>> {
  const pool = await callOnce(port, creds, "CreateUserPool", { Name: `floor-${Date.now()}` });
  switch (ACTION) {
    case "GetUserPool":
      return { UserPoolUid: pool.Uid };
    case "GetUser": {
      const user = await callOnce(port, creds, "CreateUser", {
        UserPoolUid: pool.Uid,
        PreferredUsername: "floor-user",
        Email: "floor-user@example.com",
        PhoneNumber: "+8613800138000",
        Name: "Floor User",
      });
      return { UserPoolUid: pool.Uid, UserUid: user.Uid };
    }
    case "ListUsers": {
      for (let i = 0; i < LIST_USERS; i += 100) {
        const Users = Array.from({ length: Math.min(100, LIST_USERS - i) }, (_, j) => ({
          PreferredUsername: `floor-${i + j}`,
          Email: `floor-${i + j}@example.com`,
          Name: `Floor User ${i + j}`,
        }));
        await callOnce(port, creds, "CreateUsers", { UserPoolUid: pool.Uid, Users });
      }
      return { UserPoolUid: pool.Uid, PageSize: 100 };
    }
    case "ListUserPools":
      for (let i = 1; i < 20; i++) await callOnce(port, creds, "CreateUserPool", { Name: `floor-${Date.now()}-${i}` });
      return {};
    default:
      throw new Error(`BENCH_ACTION ${ACTION}: one of GetUserPool, GetUser, ListUsers, ListUserPools`);
  }
}

async function main() {
  execSync("npm run -s build", { stdio: "inherit" });
  const before = BEFORE ? buildBefore(BEFORE) : undefined;
  const accountId = String(randomInt(3_000_000_000, 2 ** 47));
  const creds = newCredentials();
  const servers: Server[] = [];
  const env = serviceEnv(databaseUrl, creds, accountId);
  const profile = (name: string) => (CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${CPU_PROF}`, `--cpu-prof-name=${name}.cpuprofile`] : []);
  try {
    // BENCH_SERVICE_ENV="NAME=value ...": settings for C alone (not D, not C0), so BENCH_BEFORE=HEAD measures what a setting costs.
    const serviceOnly = Object.fromEntries(
      (process.env.BENCH_SERVICE_ENV ?? "")
        .split(/\s+/)
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
    );
    const service = await startServer("service (Postgres)", "dist/main.js", { ...env, ...serviceOnly }, [...startFlags(), ...profile("C")]);
    servers.push(service);
    const params = await fixtures(service.port, creds);
    const floorEnv = { ...env, BENCH_ACTION: ACTION, BENCH_ACCOUNT_ID: accountId, BENCH_PARAMS: JSON.stringify(params) };
    const dataFloor = await startServer("data floor", "bench/servers/data-floor.ts", floorEnv);
    servers.push(dataFloor);
    const c = settings.connections;
    const scenarios: { figures: Figures; server: Server }[] = [
      { figures: { name: `D (data floor: ${ACTION}'s statements, unsigned)`, runs: [] }, server: dataFloor },
    ];
    if (ACTION === "GetUserPool") {
      const dbFloor = await startServer("db floor", "bench/servers/db-floor.ts", {
        DATABASE_URL: databaseUrl,
        BENCH_ACCOUNT_ID: accountId,
        BENCH_POOL_UID: String(params.UserPoolUid),
      });
      servers.push(dbFloor);
      scenarios.push({ figures: { name: "B (old database floor: the row alone, unsigned)", runs: [] }, server: dbFloor });
    }
    if (before) {
      // With the Node flags of that commit's `npm start`: a change of flags is a step too.
      const c0 = await startServer("service before", "dist-before/main.js", env, [...before.flags, ...profile("C0")]);
      servers.push(c0);
      scenarios.push({ figures: { name: `C0 (signed ${ACTION} at ${before.short})`, runs: [] }, server: c0 });
    }
    scenarios.push({ figures: { name: `C (signed ${ACTION})`, runs: [] }, server: service });
    const targets = scenarios.map((x) => ({ ...x, target: [{ port: x.server.port, connections: c, pid: x.server.child.pid }] }));
    const request = { action: ACTION, creds, makeBody: () => JSON.stringify(params) };
    const loadStart = execSync("cat /proc/loadavg").toString().split(" ").slice(0, 3).join(" ");
    for (const s of targets) await load(s.target, settings.warmupS, request);
    for (let i = 0; i < ROUNDS; i++) {
      for (const s of targets) s.figures.runs.push(await load(s.target, DURATION_S, request));
      process.stderr.write(
        `bench:floor round ${i + 1}: ${targets.map((s) => `${s.figures.name.split(" ")[0]} ${s.figures.runs.at(-1)!.reqPerSec.toFixed(0)}`).join(", ")} req/s\n`,
      );
    }
    const figures = targets.map((s) => s.figures);
    const d = figures[0]!;
    const cs = figures.at(-1)!;
    const commit = execSync("git rev-parse --short HEAD").toString().trim();
    const dirty = execSync("git status --porcelain src bench package.json").toString().trim() ? " (uncommitted changes)" : "";
    const loadEnd = execSync("cat /proc/loadavg").toString().split(" ").slice(0, 3).join(" ");
    console.log(
      [
        `bench:floor ${ACTION} on ${new Date().toISOString()}, commit ${commit}${dirty}, node flags ${startFlags().join(" ") || "none"}; load average ${loadStart} at the start, ${loadEnd} at the end; ${ROUNDS} alternating rounds of ${DURATION_S} s, ${c} connections`,
        ...figures.map(line),
        ...figures.slice(1).map((f) => against(f, d, "D")),
        ...(ACTION === "GetUserPool" ? [against(cs, figures[1]!, "B")] : []),
        ...(before ? [against(cs, figures.at(-2)!, "C0")] : []),
        `peak RSS: ${targets.map((s) => `${s.figures.name.split(" ")[0]} ${s.server.peakRssMb().toFixed(0)} MB`).join(", ")}`,
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
