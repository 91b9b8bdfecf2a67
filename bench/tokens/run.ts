// `npm run bench:tokens`: sign-in's three hot exchanges against their floors (issue 24, issue 27 item
// 3), each floor a bare route of bench/servers/token-floor.ts served by its own process:
//   client_credentials: C, the grant at the pool's token endpoint of the built service (oidc-provider,
//     the client's secret, an RFC 9068 access token), against D, the same client lookups and a jose
//     SignJWT.
//   code: C, authorization_code + PKCE at the token endpoint, against D, the same client lookups, the
//     code found and consumed through sign-in's own adapter, the user row, the access token stored,
//     and an access token and an ID token signed with jose. The codes are made before each round,
//     outside the timed part: one real sign-in through the hosted page gives a code whose stored
//     payload (grant, session, PKCE challenge, redirect_uri, scope, nonce) is the template; each round
//     writes as many fresh codes as it can use (sign_in_artifacts rows in the adapter's own format,
//     src/sign-in/artifact-payload.ts), because a code lives 60 s and works once.
//   userinfo: C, the pool's userinfo endpoint with an access token the service issued in that
//     sign-in, against D, the same JWT verified with jose against the pool's JWKS, the user row, the
//     same claims; and against D2, D plus the stored token row read beside the user row: the floor
//     of sign-in's design, which stores a user's access token so that revocation, logout and a
//     disabled user end it at once (D is kept as a line for continuity with earlier readings).
// Every scenario's servers get the same requests from the same load generator, alternating round by
// round (D C D C ... across all scenarios), so a change in what else the shared machine does lands on
// each; medians; server CPU per request and peak RSS as in bench:floor. BENCH_BEFORE=<commit> adds C0,
// the service of that commit (bench/before.ts), to the same rounds. BENCH_CPU_PROF=<dir> writes a CPU
// profile of each service (read it with bench/cpu-profile.ts). BENCH_SCENARIOS (all three, comma
// separated), BENCH_ROUNDS (5), BENCH_FLOOR_DURATION (6 s), BENCH_PORT (first port) as named.
import { execSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { Kysely } from "kysely";
import postgres from "postgres";
import { PostgresDialect } from "../../src/platform/db/postgres-dialect.js";
import type { Database } from "../../src/platform/db/schema.js";
import { expiryOf, hashId, lookupColumns, storedPayload } from "../../src/sign-in/artifact-payload.js";
import { ENDPOINT_PATHS } from "../../src/user-pools/endpoints.js";
import { Browser, PASSWORD, REDIRECT, rpConfig, signIn } from "../../test/support/sign-in.js";
import { buildBefore } from "../before.js";
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
const BEFORE = process.env.BENCH_BEFORE;
const CPU_PROF = process.env.BENCH_CPU_PROF;
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? "client_credentials,code,userinfo").split(",");
/** The code's lifetime (src/sign-in/token-policy.ts TTL.code). */
const CODE_TTL_S = 60;

type Figures = { name: string; runs: RunResult[] };
const reqPerSec = (f: Figures) => median(f.runs.map((x) => x.reqPerSec));
const cpuPerReq = (f: Figures) => median(f.runs.map((x) => x.serverCpuUsPerReq));
const label = (f: Figures) => f.name.split(" ")[0]!;
const line = (f: Figures) =>
  `  ${f.name}: median ${reqPerSec(f).toFixed(0)} req/s, p99 ${median(f.runs.map((x) => x.p99Ms))} ms, server CPU ${cpuPerReq(f).toFixed(0)} µs/req, non-2xx ${f.runs.reduce((s, x) => s + x.non2xx + x.errors, 0)}`;
function against(c: Figures, floor: Figures) {
  const perRound = floor.runs.map((x, i) => c.runs[i]!.reqPerSec / x.reqPerSec);
  return `  ${label(c)}/${label(floor)} req/s per round: ${perRound.map((r) => r.toFixed(2)).join(" ")}; median ${median(perRound).toFixed(2)}; server CPU per request ${label(c)}/${label(floor)} ${(cpuPerReq(c) / cpuPerReq(floor)).toFixed(2)}x`;
}
const loadavg = () => execSync("cat /proc/loadavg").toString().split(" ").slice(0, 3).join(" ");

interface Side {
  figures: Figures;
  server: Server;
  path: string;
  /** Called before each timed run with its expected request count: makes what the run consumes. */
  prepare?: (requests: number) => Promise<void>;
  request: { method?: string; path: string; headers: Record<string, string>; makeBody: () => string };
}

async function main() {
  execSync("npm run -s build", { stdio: "inherit" });
  const before = BEFORE ? buildBefore(BEFORE) : undefined;
  const accountId = String(randomInt(3_000_000_000, 2 ** 47));
  const creds = newCredentials();
  const env = serviceEnv(databaseUrl, creds, accountId);
  const profile = (name: string) => (CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${CPU_PROF}`, `--cpu-prof-name=${name}.cpuprofile`] : []);
  const servers: Server[] = [];
  const sql = postgres(databaseUrl, { max: 4 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect(sql, { prepare: true, connectionWaitMs: 30_000 }) });
  let poolUid = "";
  try {
    const service = await startServer("service (Postgres)", "dist/main.js", env, [...startFlags(), ...profile("C")]);
    servers.push(service);
    const old = before && (await startServer("service before", "dist-before/main.js", env, [...before.flags, ...profile("C0")]));
    if (old) servers.push(old);

    // A pool with the custom scope client_credentials asks for, a WEB client with a secret, a user.
    const pool = await callOnce(service.port, creds, "CreateUserPool", { Name: `tokens-${Date.now()}`, CustomScopes: ["api.read"] });
    poolUid = pool.Uid;
    const client = await callOnce(service.port, creds, "CreateUserPoolClient", {
      UserPoolUid: pool.Uid,
      Name: "bench",
      ClientType: "WEB",
      AllowedCallbackUrls: [REDIRECT],
    });
    const email = `bench-${randomBytes(4).toString("hex")}@example.com`;
    await callOnce(service.port, creds, "CreateUser", {
      UserPoolUid: pool.Uid,
      Email: email,
      EmailVerified: true,
      Password: PASSWORD,
      Name: "Bench Person",
      PreferredUsername: "bench",
    });
    const { IssuerUrl, TokenUrl, TokenSigningKeyUrl } = await callOnce(service.port, creds, "GetUserPool", { UserPoolUid: pool.Uid });
    const floor = await startServer("token floor", "bench/servers/token-floor.ts", {
      DATABASE_URL: databaseUrl,
      BENCH_ACCOUNT_ID: accountId,
      BENCH_POOL_UID: pool.Uid,
      BENCH_ISSUER: IssuerUrl,
      BENCH_JWKS_URL: TokenSigningKeyUrl,
    });
    servers.push(floor);
    const basic = Buffer.from(`${encodeURIComponent(client.Uid)}:${encodeURIComponent(client.ClientSecret)}`).toString("base64");
    const form = { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${basic}` };
    const tokenPath = new URL(TokenUrl).pathname;
    const userinfoPath = `${new URL(IssuerUrl).pathname}${ENDPOINT_PATHS.userinfo}`;

    // One real sign-in: its code is the template of every prepared code; its tokens are userinfo's.
    const config = await rpConfig({ issuer: IssuerUrl, clientId: client.Uid }, client.ClientSecret);
    const signedIn = await signIn(new Browser(), config, {
      poolUid: pool.Uid,
      issuer: IssuerUrl,
      clientId: client.Uid,
      clientSecret: "",
      email,
      userUid: "",
    });
    const realCode = new URL(signedIn.callback!).searchParams.get("code")!;
    const row = await db
      .selectFrom("sign_in_artifacts")
      .select("payload")
      .where("account_id", "=", accountId)
      .where("pool_uid", "=", pool.Uid)
      .where("kind", "=", "AuthorizationCode")
      .where("id_hash", "=", hashId(realCode))
      .executeTakeFirstOrThrow();
    const template = row.payload;
    const codeBody = (code: string) =>
      `grant_type=authorization_code&code=${code}&redirect_uri=${encodeURIComponent(REDIRECT)}&code_verifier=${signedIn.verifier}`;
    const exchanged = await fetch(`http://127.0.0.1:${service.port}${tokenPath}`, {
      method: "POST",
      headers: form,
      body: codeBody(realCode),
    });
    const tokens = (await exchanged.json()) as { access_token?: string; id_token?: string };
    if (!tokens.access_token) throw new Error(`the real code exchange failed: ${exchanged.status} ${JSON.stringify(tokens)}`);

    /** Fresh codes in the adapter's row format, from the template, valid for CODE_TTL_S from now. */
    async function freshCodes(n: number): Promise<string[]> {
      const now = new Date();
      const iat = Math.floor(now.getTime() / 1000);
      const codes = Array.from({ length: n }, () => randomBytes(32).toString("base64url"));
      for (let i = 0; i < n; i += 1000) {
        const rows = codes.slice(i, i + 1000).map((code) => {
          const payload = { ...template, jti: code, iat, exp: iat + CODE_TTL_S } as never;
          return {
            account_id: accountId,
            pool_uid: pool.Uid as string,
            kind: "AuthorizationCode",
            id_hash: hashId(code),
            ...lookupColumns("AuthorizationCode", payload),
            payload: storedPayload("AuthorizationCode", payload),
            expires_at: expiryOf(now, CODE_TTL_S),
          };
        });
        await db.insertInto("sign_in_artifacts").values(rows).execute();
      }
      return codes;
    }
    /** A side of the code scenario: each timed run uses codes made just before it, one per request. */
    function codeSide(): Pick<Side, "prepare" | "request"> & { path?: string } {
      let codes: string[] = [];
      let next = 0;
      return {
        async prepare(requests) {
          codes = await freshCodes(requests);
          next = 0;
        },
        request: { path: "", headers: form, makeBody: () => codeBody(codes[next++] ?? "exhausted") },
      };
    }

    const c = settings.connections;
    const sides: { scenario: string; sides: Side[] }[] = [];
    // floors: D, and for userinfo also D2 (the floor that also reads the stored token: token-floor.ts).
    const both = (
      scenario: string,
      floorPath: string,
      servicePath: string,
      make: () => Omit<Side, "figures" | "server" | "path">,
      secondFloor?: { name: string; path: string },
    ) => {
      const list: Side[] = [{ figures: { name: `D (floor, ${scenario})`, runs: [] }, server: floor, path: floorPath, ...make() }];
      if (secondFloor)
        list.push({
          figures: { name: `D2 (${secondFloor.name}, ${scenario})`, runs: [] },
          server: floor,
          path: secondFloor.path,
          ...make(),
        });
      if (old) list.push({ figures: { name: `C0 (${before!.short}, ${scenario})`, runs: [] }, server: old, path: servicePath, ...make() });
      list.push({ figures: { name: `C (sign-in, ${scenario})`, runs: [] }, server: service, path: servicePath, ...make() });
      for (const s of list) s.request = { ...s.request, path: s.path };
      sides.push({ scenario, sides: list });
    };
    if (SCENARIOS.includes("client_credentials")) {
      const body = "grant_type=client_credentials&scope=api.read";
      both("client_credentials", "/token", tokenPath, () => ({ request: { path: "", headers: form, makeBody: () => body } }));
    }
    if (SCENARIOS.includes("code")) both("code", "/code", tokenPath, codeSide);
    if (SCENARIOS.includes("userinfo")) {
      const headers = { Authorization: `Bearer ${tokens.access_token}` };
      both("userinfo", "/userinfo", userinfoPath, () => ({ request: { method: "GET", path: "", headers, makeBody: () => "" } }), {
        name: "floor + the stored token row",
        path: "/userinfo-stored",
      });
    }

    // One call each first: every side must answer 200, or the figures measure errors.
    for (const s of sides.flatMap((x) => x.sides)) {
      await s.prepare?.(1);
      const r = await fetch(`http://127.0.0.1:${s.server.port}${s.path}`, {
        method: s.request.method ?? "POST",
        headers: s.request.headers,
        ...(s.request.method !== "GET" && { body: s.request.makeBody() }),
      });
      const text = await r.text();
      if (r.status !== 200) throw new Error(`${s.figures.name} answered ${r.status}: ${text}`);
    }

    const target = (s: Side) => [{ port: s.server.port, connections: c, pid: s.server.child.pid }];
    // Codes enough for the run: the side's best rate so far, with room to spare.
    const expected = (s: Side, seconds: number) =>
      Math.ceil(Math.max(3000, ...s.figures.runs.map((r) => r.reqPerSec)) * seconds * 1.5) + 500;
    const loadStart = loadavg();
    for (const s of sides.flatMap((x) => x.sides)) {
      await s.prepare?.(expected(s, settings.warmupS));
      await load(target(s), settings.warmupS, s.request);
    }
    for (let i = 0; i < ROUNDS; i++) {
      for (const s of sides.flatMap((x) => x.sides)) {
        await s.prepare?.(expected(s, DURATION_S));
        s.figures.runs.push(await load(target(s), DURATION_S, s.request));
      }
      process.stderr.write(
        `bench:tokens round ${i + 1}: ${sides.map((x) => `${x.scenario}: ${x.sides.map((s) => `${label(s.figures)} ${s.figures.runs.at(-1)!.reqPerSec.toFixed(0)}`).join(" ")}`).join("; ")} req/s\n`,
      );
    }
    const loadEnd = loadavg();
    const commit = execSync("git rev-parse --short HEAD").toString().trim();
    const dirty = execSync("git status --porcelain src bench package.json").toString().trim() ? " (uncommitted changes)" : "";
    console.log(
      [
        `bench:tokens on ${new Date().toISOString()}, commit ${commit}${dirty}, node flags ${startFlags().join(" ") || "none"}; load average ${loadStart} at the start, ${loadEnd} at the end; ${ROUNDS} alternating rounds of ${DURATION_S} s, ${c} connections`,
        ...sides.flatMap(({ scenario, sides: list }) => {
          const all = list.map((s) => s.figures);
          const floors = all.filter((f) => label(f).startsWith("D"));
          const cs = all.filter((f) => !label(f).startsWith("D"));
          return [
            `${scenario}:`,
            ...all.map(line),
            ...floors.flatMap((d) => cs.map((f) => against(f, d))),
            ...(cs.length === 2 ? [against(cs[1]!, cs[0]!)] : []),
          ];
        }),
        `peak RSS: ${servers.map((s) => `${s.name} ${s.peakRssMb().toFixed(0)} MB`).join(", ")}`,
      ].join("\n"),
    );
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    // What the run wrote: its pool's codes and tokens (the pool itself stays, as in every bench).
    if (poolUid) await db.deleteFrom("sign_in_artifacts").where("account_id", "=", accountId).where("pool_uid", "=", poolUid).execute();
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
