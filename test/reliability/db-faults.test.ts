// Database faults: a service on a private, throwaway Postgres (never the shared one) under a mixed
// write load; the database is killed (pg_ctl stop -m immediate) and restarted. Requests must fail
// fast with ServiceUnavailable, /readyz must go red, the service must recover by itself, and no
// acknowledged write may be lost or half-made. Figures go to test/reliability/REPORT.md.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../src/db/circuit-breaker.js";
import { connectDatabase, type DatabaseHandle } from "../../src/db/connect.js";
import { translateDbError } from "../../src/db/errors.js";
import { startTestService, type Envelope, type TestService } from "../support/harness.js";
import { createPostgresInstance, postgresUnavailableReason, type PostgresInstance } from "../support/postgres-instance.js";
import { buildSigned } from "../support/raw.js";

const skipReason = postgresUnavailableReason();
if (skipReason) console.log(`[reliability] db-faults skipped: ${skipReason}`);

interface Outcome {
  op: string;
  started: number;
  ended: number;
  status: number;
  code: string;
  result?: any;
  poolUid?: string;
}

let pg: PostgresInstance;
let svc: TestService;
let check: DatabaseHandle;

beforeAll(async () => {
  if (skipReason) return;
  pg = await createPostgresInstance();
  svc = await startTestService({ databaseUrl: pg.url, env: { ID_QUOTA_USER_POOLS: "100000" } });
  check = await connectDatabase({ databaseUrl: pg.url, maxConnections: 2 });
}, 60_000);
afterAll(async () => {
  await svc?.close();
  await check?.close();
  await pg?.destroy();
});

const now = () => performance.now();

async function send(action: string, params: object): Promise<{ status: number; code: string; result?: any }> {
  const req = buildSigned(svc, { action, body: JSON.stringify(params) });
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== "Host"));
  try {
    const res = await fetch(req.url, { method: "POST", headers, body: req.body, signal: AbortSignal.timeout(15_000) });
    const env = (await res.json()) as Envelope;
    return { status: res.status, code: env.ResponseMetadata.Error?.Code ?? "OK", result: env.Result };
  } catch (err) {
    return { status: 0, code: `client error: ${(err as Error).message}` };
  }
}

async function readyz(): Promise<number> {
  try {
    return (await fetch(`${svc.url}/readyz`, { signal: AbortSignal.timeout(10_000) })).status;
  } catch {
    return 0;
  }
}

describe.skipIf(Boolean(skipReason))("database faults (private Postgres, stopped and restarted under load)", () => {
  it("fails fast with ServiceUnavailable, goes red, recovers by itself, and loses no acknowledged write", async () => {
    const pools: string[] = [];
    for (let i = 0; i < 4; i++) pools.push((await svc.ok("CreateUserPool", { Name: `seed-${i}` })).Uid);
    const outcomes: Outcome[] = [];
    let running = true;
    let n = 0;
    const ops = [
      () => ({ op: "CreateUserPool", params: { Name: `p-${randomUUID()}` } }),
      (pool: string) => ({ op: "CreateUser", params: { UserPoolUid: pool, PreferredUsername: `u${randomUUID().slice(0, 12)}`, Email: `${randomUUID()}@example.com` } }),
      (pool: string) => ({ op: "CreateOAuthCredential", params: { UserPoolUid: pool, GrantType: "authorization_code", Scope: "openid", Name: `c-${randomUUID()}`, RedirectUri: ["https://app.example.com/cb"] } }),
      (pool: string) => ({ op: "GetUserPool", params: { UserPoolUid: pool } }),
    ];
    const worker = async () => {
      while (running) {
        const i = n++;
        const pool = pools[i % pools.length]!;
        const { op, params } = ops[i % ops.length]!(pool);
        const started = now();
        const r = await send(op, params);
        outcomes.push({ op, started, ended: now(), ...r, poolUid: pool });
        if (r.status !== 200) await new Promise((res) => setTimeout(res, 20));
      }
    };
    const workers = Array.from({ length: 6 }, worker);
    const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

    await sleep(1500);
    const stopAt = now();
    await pg.stop();
    const stopped = now();
    let redAt: number | undefined;
    while (now() - stopped < 5000) {
      if ((await readyz()) === 503) {
        redAt = now();
        break;
      }
      await sleep(50);
    }
    await sleep(2500);
    const restartAt = now();
    await pg.start();
    const restarted = now();
    let greenAt: number | undefined;
    while (now() - restarted < 15_000) {
      if ((await readyz()) === 200) {
        greenAt = now();
        break;
      }
      await sleep(50);
    }
    await sleep(2000);
    running = false;
    await Promise.all(workers);

    if (process.env.DBF_DEBUG) {
      const t = (x: number) => Math.round(x - stopped);
      (await import("node:fs")).writeFileSync(process.env.DBF_DEBUG, JSON.stringify({ stopAt: t(stopAt), restartAt: t(restartAt), restarted: t(restarted), redAt: redAt && t(redAt), greenAt: greenAt && t(greenAt),
        outcomes: outcomes.map((o) => `${t(o.started)}..${t(o.ended)} ${o.op} ${o.status} ${o.code}`) }, null, 1));
      (await import("node:fs")).writeFileSync(process.env.DBF_DEBUG + ".log", svc.logs.join(""));
    }
    // Nothing but success or ServiceUnavailable, ever; no client-side failure (hang, reset).
    const unexpected = outcomes.filter((o) => !(o.code === "OK" || (o.code === "ServiceUnavailable" && o.status === 503)));
    expect(unexpected.map((o) => `${o.op} ${o.status} ${o.code}`)).toEqual([]);
    // During the outage: every request refused, and fast.
    const during = outcomes.filter((o) => o.started >= stopped && o.ended <= restartAt);
    expect(during.length).toBeGreaterThan(20);
    expect(during.every((o) => o.code === "ServiceUnavailable")).toBe(true);
    const slowest = Math.max(...outcomes.filter((o) => o.ended > stopAt && o.started < restartAt).map((o) => o.ended - o.started));
    expect(slowest).toBeLessThan(5000);
    expect(redAt).toBeDefined();
    // Recovery without restarting the service: green, then every request started a second later succeeds.
    expect(greenAt).toBeDefined();
    const firstOk = outcomes.filter((o) => o.started >= restarted && o.code === "OK").sort((a, b) => a.ended - b.ended)[0];
    expect(firstOk).toBeDefined();
    const after = outcomes.filter((o) => o.started >= greenAt! + 1000);
    expect(after.length).toBeGreaterThan(20);
    expect(after.filter((o) => o.code !== "OK")).toEqual([]);

    const lost = await verifyNothingLostOrHalfMade(outcomes);
    expect(lost).toEqual({ pools: 0, users: 0, credentials: 0 });
    const fiveXx = outcomes.filter((o) => o.status >= 500);
    figures.push(
      `${outcomes.length} requests (${outcomes.filter((o) => o.op !== "GetUserPool").length} writes) by 6 workers; ` +
        `1 fault injected (pg_ctl stop -m immediate, ${((restartAt - stopped) / 1000).toFixed(1)} s outage) and survived`,
      `5xx: ${fiveXx.length}, all ServiceUnavailable (${during.length} during the outage, ` +
        `${fiveXx.length - during.length} in flight at the stop or the restart); other errors: ${unexpected.length}`,
      `slowest answer while the database was away: ${Math.round(slowest)} ms; /readyz red ${Math.round(redAt! - stopped)} ms after the stop`,
      `recovery without restart: /readyz green ${Math.round(greenAt! - restarted)} ms and first OK ${Math.round(firstOk!.ended - restarted)} ms after Postgres accepted connections again`,
      `acknowledged writes lost: 0; committed but answered 503 (in flight at the kill): ${unacknowledged} pools; pool counters (total_users, total_clients) equal to the rows: all ${pools.length + outcomes.filter((o) => o.op === "CreateUserPool" && o.code === "OK").length} pools`,
    );
  });
});

describe("circuit breaker (no database needed)", () => {
  const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });

  it("refuses at once after a connection error, lets one probe through per interval, closes on success", async () => {
    const breaker = new CircuitBreaker(100);
    await expect(breaker.run(() => Promise.reject(refused))).rejects.toBe(refused);
    const fast = await breaker.run(() => Promise.resolve("not run")).catch((e: unknown) => e);
    expect(translateDbError(fast)?.code).toBe("ServiceUnavailable");
    await new Promise((r) => setTimeout(r, 110));
    let release!: (v: string) => void;
    const probe = breaker.run(() => new Promise<string>((r) => (release = r)));
    // While the probe is out, everyone else is still refused at once.
    await expect(breaker.run(() => Promise.resolve("x"))).rejects.toMatchObject({ code: "DATABASE_DOWN" });
    release("back");
    expect(await probe).toBe("back");
    expect(await breaker.run(() => Promise.resolve("open for all"))).toBe("open for all");
  });

  it("ignores statement errors: a unique violation does not take the database down", async () => {
    const breaker = new CircuitBreaker(10_000);
    const duplicate = Object.assign(new Error("duplicate"), { code: "23505" });
    await expect(breaker.run(() => Promise.reject(duplicate))).rejects.toBe(duplicate);
    expect(await breaker.run(() => Promise.resolve(1))).toBe(1);
  });
});

/** Acknowledged creates that are missing, after checking every pool's counters against its rows. */
async function verifyNothingLostOrHalfMade(outcomes: Outcome[]) {
  const account = svc.accountId;
  const ok = (op: string) => outcomes.filter((o) => o.op === op && o.code === "OK");
  const poolUids = new Set((await check.db.selectFrom("user_pools").select("uid").where("account_id", "=", account).execute()).map((r) => r.uid));
  const userUids = new Set((await check.db.selectFrom("users").select("uid").where("account_id", "=", account).execute()).map((r) => r.uid));
  const credentialIds = new Set((await check.db.selectFrom("oauth_credentials").select("client_api_identifier").where("account_id", "=", account).execute()).map((r) => r.client_api_identifier));
  // Counters are kept by triggers in the same transaction as the rows: a half-made write would break them.
  const skewed = await sql<{ uid: string }>`
    select p.uid from user_pools p
    where p.account_id = ${account}
      and (p.total_users <> (select count(*) from users u where u.account_id = p.account_id and u.user_pool_uid = p.uid)
        or p.total_clients <> (select count(*) from oauth_credentials c where c.account_id = p.account_id and c.user_pool_uid = p.uid))`.execute(check.db);
  expect(skewed.rows).toEqual([]);
  // Writes answered 503 whose transaction had committed just before the connection died: whole rows.
  unacknowledged = poolUids.size - 4 - ok("CreateUserPool").length;
  return {
    pools: ok("CreateUserPool").filter((o) => !poolUids.has(o.result.Uid)).length,
    users: ok("CreateUser").filter((o) => !userUids.has(o.result.Uid)).length,
    credentials: ok("CreateOAuthCredential").filter((o) => !credentialIds.has(o.result.ClientApiIdentifier)).length,
  };
}

const figures: string[] = [];
let unacknowledged = 0;
afterAll(() => {
  if (figures.length) console.log(`[reliability] db-faults:\n  ${figures.join("\n  ")}`);
});
