// `npm run bench:tokens`: sign-in's token endpoint against its floor (issue 27, item 3). C: a
// client_credentials grant at the pool's token endpoint of the built service (oidc-provider, the
// client's secret, the pool's signing key, an RFC 9068 access token). D: bench/servers/token-floor.ts,
// a bare route doing the same client lookups and a jose SignJWT. Same form body and Basic credentials
// from the same load generator, alternating rounds (D C D C ...), medians; server CPU per request
// and peak RSS as in bench:floor. BENCH_ROUNDS (5) and BENCH_FLOOR_DURATION (6 s) as there.
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
  type RunResult,
  type Server,
} from "../load.js";

const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION_S = Number(process.env.BENCH_FLOOR_DURATION ?? 6);

type Figures = { name: string; runs: RunResult[] };
const reqPerSec = (f: Figures) => median(f.runs.map((x) => x.reqPerSec));
const cpuPerReq = (f: Figures) => median(f.runs.map((x) => x.serverCpuUsPerReq));

async function main() {
  execSync("npm run -s build", { stdio: "inherit" });
  const accountId = String(randomInt(3_000_000_000, 2 ** 47));
  const creds = newCredentials();
  const servers: Server[] = [];
  try {
    const service = await startServer("service (Postgres)", "dist/main.js", serviceEnv(databaseUrl, creds, accountId), startFlags());
    servers.push(service);
    const pool = await callOnce(service.port, creds, "CreateUserPool", { Name: `tokens-${Date.now()}`, CustomScopes: ["api.read"] });
    const client = await callOnce(service.port, creds, "CreateUserPoolClient", {
      UserPoolUid: pool.Uid,
      Name: "bench",
      ClientType: "WEB",
      AllowedCallbackUrls: ["https://app.example.com/cb"],
    });
    const { IssuerUrl, TokenUrl } = await callOnce(service.port, creds, "GetUserPool", { UserPoolUid: pool.Uid });
    const floor = await startServer("token floor", "bench/servers/token-floor.ts", {
      DATABASE_URL: databaseUrl,
      BENCH_ACCOUNT_ID: accountId,
      BENCH_POOL_UID: pool.Uid,
      BENCH_ISSUER: IssuerUrl,
    });
    servers.push(floor);
    const basic = Buffer.from(`${encodeURIComponent(client.Uid)}:${encodeURIComponent(client.ClientSecret)}`).toString("base64");
    const headers = { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${basic}` };
    const body = "grant_type=client_credentials&scope=api.read";
    const scenarios = [
      { figures: { name: "D (floor: client lookups + jose SignJWT)", runs: [] as RunResult[] }, server: floor, path: "/token" },
      {
        figures: { name: "C (sign-in token endpoint, client_credentials)", runs: [] as RunResult[] },
        server: service,
        path: new URL(TokenUrl).pathname,
      },
    ];
    // One call each first: both must answer a token, or the figures measure errors.
    for (const s of scenarios) {
      const r = await fetch(`http://127.0.0.1:${s.server.port}${s.path}`, { method: "POST", headers, body });
      const json = (await r.json()) as { access_token?: string };
      if (!json.access_token) throw new Error(`${s.figures.name} gave no token: ${r.status} ${JSON.stringify(json)}`);
    }
    const c = settings.connections;
    const loadStart = execSync("cat /proc/loadavg").toString().split(" ").slice(0, 3).join(" ");
    const targets = scenarios.map((s) => ({
      ...s,
      target: [{ port: s.server.port, connections: c, pid: s.server.child.pid }],
      request: { makeBody: () => body, path: s.path, headers },
    }));
    for (const s of targets) await load(s.target, settings.warmupS, s.request);
    for (let i = 0; i < ROUNDS; i++) {
      for (const s of targets) s.figures.runs.push(await load(s.target, DURATION_S, s.request));
      process.stderr.write(
        `bench:tokens round ${i + 1}: ${targets.map((s) => `${s.figures.name[0]} ${s.figures.runs.at(-1)!.reqPerSec.toFixed(0)}`).join(", ")} req/s\n`,
      );
    }
    const [d, cs] = targets.map((s) => s.figures) as [Figures, Figures];
    const perRound = d.runs.map((x, i) => cs.runs[i]!.reqPerSec / x.reqPerSec);
    const commit = execSync("git rev-parse --short HEAD").toString().trim();
    const loadEnd = execSync("cat /proc/loadavg").toString().split(" ").slice(0, 3).join(" ");
    console.log(
      [
        `bench:tokens on ${new Date().toISOString()}, commit ${commit}, node flags ${startFlags().join(" ")}; load average ${loadStart} at the start, ${loadEnd} at the end; ${ROUNDS} alternating rounds of ${DURATION_S} s, ${c} connections`,
        ...[d, cs].map(
          (f) =>
            `${f.name}: median ${reqPerSec(f).toFixed(0)} req/s, p99 ${median(f.runs.map((x) => x.p99Ms))} ms, server CPU ${cpuPerReq(f).toFixed(0)} µs/req, non-2xx ${f.runs.reduce((s, x) => s + x.non2xx + x.errors, 0)}`,
        ),
        `C/D req/s per round: ${perRound.map((r) => r.toFixed(2)).join(" ")}; median ${median(perRound).toFixed(2)}; server CPU per request C/D ${(cpuPerReq(cs) / cpuPerReq(d)).toFixed(2)}x`,
        `peak RSS: ${targets.map((s) => `${s.figures.name[0]} ${s.server.peakRssMb().toFixed(0)} MB`).join(", ")}`,
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
