// A mixed write load against a test service while its database is hurt (killed, failed over), and the
// ledger check after it: every acknowledged (2xx) create must be in the database, whole. Shared by
// test/reliability/db-faults.test.ts and test/reliability/failover.test.ts.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { expect } from "vitest";
import type { DatabaseHandle } from "../../../src/platform/db/connect.js";
import type { Envelope, TestService } from "../harness.js";
import { buildSigned } from "../raw.js";

export interface Outcome {
  op: string;
  started: number;
  ended: number;
  status: number;
  code: string;
  result?: any;
  poolUid?: string;
}

export const now = () => performance.now();
export const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** One signed call; a client-side failure (timeout, reset) is an outcome with status 0, never a throw. */
export async function send(
  svc: TestService,
  action: string,
  params: object,
  timeoutMs = 15_000,
): Promise<{ status: number; code: string; result?: any }> {
  const req = buildSigned(svc, { action, body: JSON.stringify(params) });
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== "Host"));
  try {
    const res = await fetch(req.url, { method: "POST", headers, body: req.body, signal: AbortSignal.timeout(timeoutMs) });
    const env = (await res.json()) as Envelope;
    return { status: res.status, code: env.ResponseMetadata.Error?.Code ?? "OK", result: env.Result };
  } catch (err) {
    return { status: 0, code: `client error: ${(err as Error).message}` };
  }
}

export async function readyz(svc: TestService): Promise<number> {
  try {
    return (await fetch(`${svc.url}/readyz`, { signal: AbortSignal.timeout(10_000) })).status;
  } catch {
    return 0;
  }
}

/** Polls /readyz every 50 ms until it answers `status`; the moment it did, or undefined after timeoutMs. */
export async function waitForReadyz(svc: TestService, status: number, timeoutMs: number): Promise<number | undefined> {
  const from = now();
  while (now() - from < timeoutMs) {
    if ((await readyz(svc)) === status) return now();
    await sleep(50);
  }
  return undefined;
}

/**
 * `workers` loops of CreateUserPool / CreateUser / CreateOAuthCredential / GetUserPool over the
 * seeded pools, until stop(); each answer is booked in outcomes.
 */
export function startWriteLoad(svc: TestService, pools: string[], workers = 6, timeoutMs?: number) {
  const outcomes: Outcome[] = [];
  let running = true;
  let n = 0;
  const ops = [
    () => ({ op: "CreateUserPool", params: { Name: `p-${randomUUID()}` } }),
    (pool: string) => ({
      op: "CreateUser",
      params: { UserPoolUid: pool, PreferredUsername: `u${randomUUID().slice(0, 12)}`, Email: `${randomUUID()}@example.com` },
    }),
    (pool: string) => ({
      op: "CreateOAuthCredential",
      params: {
        UserPoolUid: pool,
        GrantType: "authorization_code",
        Scope: "openid",
        Name: `c-${randomUUID()}`,
        RedirectUri: ["https://app.example.com/cb"],
      },
    }),
    (pool: string) => ({ op: "GetUserPool", params: { UserPoolUid: pool } }),
  ];
  const worker = async () => {
    while (running) {
      const i = n++;
      const pool = pools[i % pools.length]!;
      const { op, params } = ops[i % ops.length]!(pool);
      const started = now();
      const r = await send(svc, op, params, timeoutMs);
      outcomes.push({ op, started, ended: now(), ...r, poolUid: pool });
      if (r.status !== 200) await sleep(20);
    }
  };
  const all = Array.from({ length: workers }, worker);
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(all);
    },
  };
}

/** Seeds `count` pools to write into. */
export async function seedPools(svc: TestService, count = 4): Promise<string[]> {
  const pools: string[] = [];
  for (let i = 0; i < count; i++) pools.push((await svc.ok("CreateUserPool", { Name: `seed-${i}` })).Uid);
  return pools;
}

/**
 * Acknowledged creates that are missing from the database (after checking every pool's counters
 * against its rows: a half-made write would break them), and how many pools exist that were never
 * acknowledged (committed just before the connection died, answered 503).
 */
export async function verifyLedger(check: DatabaseHandle, account: string, outcomes: Outcome[], seeded: number) {
  const ok = (op: string) => outcomes.filter((o) => o.op === op && o.code === "OK");
  const poolUids = new Set(
    (await check.db.selectFrom("user_pools").select("uid").where("account_id", "=", account).execute()).map((r) => r.uid),
  );
  const userUids = new Set(
    (await check.db.selectFrom("users").select("uid").where("account_id", "=", account).execute()).map((r) => r.uid),
  );
  const credentialIds = new Set(
    (await check.db.selectFrom("oauth_credentials").select("client_api_identifier").where("account_id", "=", account).execute()).map(
      (r) => r.client_api_identifier,
    ),
  );
  // Counters are kept by triggers in the same transaction as the rows.
  const skewed = await sql<{ uid: string }>`
    select p.uid from user_pools p
    where p.account_id = ${account}
      and (p.total_users <> (select count(*) from users u where u.account_id = p.account_id and u.user_pool_uid = p.uid)
        or p.total_clients <> (select count(*) from oauth_credentials c where c.account_id = p.account_id and c.user_pool_uid = p.uid))`.execute(
    check.db,
  );
  expect(skewed.rows).toEqual([]);
  return {
    lost: {
      pools: ok("CreateUserPool").filter((o) => !poolUids.has(o.result.Uid)).length,
      users: ok("CreateUser").filter((o) => !userUids.has(o.result.Uid)).length,
      credentials: ok("CreateOAuthCredential").filter((o) => !credentialIds.has(o.result.ClientApiIdentifier)).length,
    },
    unacknowledgedPools: poolUids.size - seeded - ok("CreateUserPool").filter((o) => poolUids.has(o.result.Uid)).length,
    poolsChecked: poolUids.size,
  };
}

/** Answers that are neither success nor ServiceUnavailable (503): a 500, another code, a hang, a reset. */
export const unexpectedAnswers = (outcomes: Outcome[]) =>
  outcomes
    .filter((o) => !(o.code === "OK" || (o.code === "ServiceUnavailable" && o.status === 503)))
    .map((o) => `${o.op} ${o.status} ${o.code}`);
