// Throttling: the per-access-key token bucket (ID_RATE_LIMIT_PER_SECOND / ID_RATE_LIMIT_BURST) through
// real servers, including two instances sharing one database and one key, the limiter's promise
// of few database round trips, and the charge of password hashing by its cost
// (ID_RATE_LIMIT_TOKENS_PER_PASSWORD). Figures go to test/reliability/REPORT.md.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leaseTokens } from "../../src/platform/rate-limits/queries.js";
import { createRateLimiter } from "../../src/platform/rate-limits/limiter.js";
import { startTestService, testDatabase, type TestService } from "../support/harness.js";
import { errorOf, rawCall, type RawResponse } from "../support/raw.js";
import type { HashQueue } from "../../src/users/hash-queue.js";
import { newPool } from "../support/families/users.js";
import { hammer, sharedRateBound } from "../support/infra/limits.js";

const RATE = 10;
const BURST = 30;
const limited = { ID_RATE_LIMIT_PER_SECOND: String(RATE), ID_RATE_LIMIT_BURST: String(BURST) };
let a: TestService;
let b: TestService;

beforeAll(async () => {
  [a, b] = await Promise.all([startTestService({ env: limited }), startTestService({ env: limited })]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

describe("throttling", () => {
  it("admits a burst, then answers Throttling (429, Retry-After) and refills with time", async () => {
    const key = await a.newKey("admin");
    const started = performance.now();
    const t = await hammer([a], key, 80);
    const seconds = (performance.now() - started) / 1000;
    expect(t.other).toEqual([]);
    // The burst passes; beyond burst + what refilled meanwhile (+ one lease) nothing does.
    expect(t.ok).toBeGreaterThanOrEqual(BURST);
    expect(t.ok).toBeLessThanOrEqual(BURST + Math.ceil(RATE * seconds) + 1);
    expect(t.throttled).toBe(80 - t.ok);
    // Dry now, but a busy machine may refill a token before the next call: ask 32 at once until one
    // is refused (one call at a time may never outrun 10 tokens a second there).
    let refused: RawResponse | undefined;
    for (let i = 0; i < 10 && !refused; i++) {
      const answers = await Promise.all(Array.from({ length: 32 }, () => rawCall(a, { action: "ListUserPools", key })));
      refused = answers.find((r) => r.status !== 200);
    }
    expect(refused?.status).toBe(429);
    expect(errorOf(refused!)).toMatchObject({ Code: "Throttling" });
    expect(refused!.headers.get("retry-after")).toBe("1");
    // 0.5 s refills 5 tokens: the key works again without anyone resetting it.
    await new Promise((r) => setTimeout(r, 500));
    expect(errorOf(await rawCall(a, { action: "ListUserPools", key }))).toBeUndefined();
  });

  it("throttles each key alone: a flooded key leaves another key of the account untouched", async () => {
    const [flooded, quiet] = await Promise.all([a.newKey("admin"), a.newKey("admin")]);
    // Flood until refused: a fixed count is refused only if it outruns the refill (60 requests in
    // under 3 s), which a busy machine does not.
    let throttled = 0;
    for (let sent = 0; sent < 400 && !throttled; sent += 20) {
      const t = await hammer([a], flooded, 20);
      expect(t.other).toEqual([]);
      throttled = t.throttled;
    }
    expect(throttled).toBeGreaterThan(0);
    const q = await hammer([a], quiet, 20);
    expect(q).toEqual({ ok: 20, throttled: 0, other: [] });
  });

  it("holds the rate across two instances sharing one database (no per-process budget)", async () => {
    const key = await a.newKey("admin");
    const started = performance.now();
    const t = await hammer([a, b], key, 200, 10);
    const seconds = (performance.now() - started) / 1000;
    expect(t.other).toEqual([]);
    // A per-process counter would admit 2 × (burst + rate × T); the shared bucket admits
    // burst + rate × T plus at most one lease per instance (lease size 1 at 10/s).
    const sharedBound = sharedRateBound({ burst: BURST, rate: RATE, seconds, instances: 2, leaseSize: 1 });
    expect(t.ok).toBeGreaterThanOrEqual(BURST);
    expect(t.ok).toBeLessThanOrEqual(sharedBound);
    // Stated against the per-process budget of the same T, so a slow run cannot make it fail.
    expect(t.ok).toBeLessThan(2 * (BURST + Math.ceil(RATE * seconds)));
    report.push(
      `two instances, one key, ${RATE}/s burst ${BURST}: ${t.ok + t.throttled} requests in ${seconds.toFixed(2)} s, ` +
        `${t.ok} admitted (bound ${sharedBound}; a per-process budget would allow ${2 * (BURST + Math.ceil(RATE * seconds))}), ` +
        `${t.throttled} Throttling, ${t.other.length} other errors`,
    );
  });

  it("is off with ID_RATE_LIMIT_PER_SECOND=0: no bucket is ever written", async () => {
    const off = await startTestService({ env: { ID_RATE_LIMIT_PER_SECOND: "0", ID_RATE_LIMIT_BURST: "1" } });
    try {
      const t = await hammer([off], off.admin, 60);
      expect(t).toEqual({ ok: 60, throttled: 0, other: [] });
      const rows = await off.deps.db
        .withTables<{ rate_limits: { access_key_id: string } }>()
        .selectFrom("rate_limits")
        .select("access_key_id")
        .where("access_key_id", "=", off.admin.accessKeyId)
        .execute();
      expect(rows).toEqual([]);
    } finally {
      await off.close();
    }
  });

  it("asks the database once per lease, not once per request", async () => {
    const { db } = await testDatabase();
    const key = { accountId: a.accountId, accessKeyId: `AKLTlimiter${Date.now()}` };
    let queries = 0;
    const limiter = createRateLimiter(db, { ratePerSecond: 2000, burst: 4000 }, (k, want) => {
      queries++;
      return leaseTokens(db, k, { ratePerSecond: 2000, burst: 4000, want });
    });
    const results = await Promise.all(Array.from({ length: 1000 }, () => limiter.take(key)));
    expect(results.every(Boolean)).toBe(true);
    expect(limiter.leaseSize).toBe(100);
    // 1000 requests from a full bucket: 10 leases of 100 (a few more if a lease expires mid-way).
    expect(queries).toBeGreaterThanOrEqual(10);
    expect(queries).toBeLessThanOrEqual(13);
    report.push(`limiter: 1000 admitted requests cost ${queries} database round trips (lease size ${limiter.leaseSize})`);
  });

  it("refuses a dry bucket locally until a lease could have refilled", async () => {
    const { db } = await testDatabase();
    const key = { accountId: a.accountId, accessKeyId: `AKLTdry${Date.now()}` };
    let queries = 0;
    const limiter = createRateLimiter(db, { ratePerSecond: 5, burst: 5 }, (k, want) => {
      queries++;
      return leaseTokens(db, k, { ratePerSecond: 5, burst: 5, want });
    });
    const results = [];
    for (let i = 0; i < 200; i++) results.push(await limiter.take(key));
    expect(results.filter(Boolean).length).toBe(5);
    // 5 single-token leases and one refused lease; the other 194 refusals never reached the database.
    expect(queries).toBeLessThanOrEqual(7);
  });
});

describe("throttling password hashing by its cost", () => {
  // 1 token a second: nothing refills noticeably while a test runs, however busy the machine.
  let slow: TestService;
  beforeAll(async () => {
    slow = await startTestService({ env: { ID_RATE_LIMIT_PER_SECOND: "1", ID_RATE_LIMIT_BURST: "30" } });
  });
  afterAll(async () => {
    await slow?.close();
  });

  const batch = (pool: string, n: number, passwords: boolean) =>
    JSON.stringify({
      UserPoolUid: pool,
      Users: Array.from({ length: n }, (_, i) => ({
        PreferredUsername: `u${i}-${Math.random().toString(36).slice(2)}`,
        ...(passwords && { Password: `a long enough password ${i}` }),
      })),
    });

  it("charges 3 tokens per password, refuses what the key cannot pay before any hashing, and takes nothing then", async () => {
    const pool = await newPool(slow);
    const key = await slow.newKey("admin");
    const lanes: string[] = [];
    const real = slow.deps.hashQueue;
    slow.deps.hashQueue = { ...real, run: (lane, work) => (lanes.push(lane), real.run(lane, work)) } satisfies HashQueue;
    try {
      const create = (n: number, passwords = true) => rawCall(slow, { action: "CreateUsers", key, body: batch(pool, n, passwords) });
      // 30 tokens: 1 + 3 × 5 leaves 14.
      const first = await create(5);
      expect(errorOf(first)).toBeUndefined();
      expect(lanes.length).toBe(5);
      // 1 + 3 × 8 is more than is left: Throttling, with no hash run and no user created.
      const refused = await create(8);
      expect(refused.status).toBe(429);
      expect(errorOf(refused)).toMatchObject({ Code: "Throttling" });
      expect(errorOf(refused)!.Message).toMatch(/hashing 8 passwords costs 24 request tokens/);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(lanes.length).toBe(5);
      expect((await slow.ok("GetUserPool", { UserPoolUid: pool })).TotalUsers).toBe(5);
      // The same batch without passwords costs one token and passes.
      expect(errorOf(await create(8, false))).toBeUndefined();
      // The refusal took nothing (all or nothing): the ~11 tokens left still pay 1 + 3 × 3.
      expect(errorOf(await create(3))).toBeUndefined();
      expect(lanes.length).toBe(8);
      expect((await slow.ok("GetUserPool", { UserPoolUid: pool })).TotalUsers).toBe(16);
    } finally {
      slow.deps.hashQueue = real;
    }
  });

  it("charges CreateUser, UpdateUser and CompletePasswordReset for their one password", async () => {
    const pool = await newPool(slow);
    const key = await slow.newKey("admin");
    const call = (action: string, params: Record<string, unknown>) =>
      rawCall(slow, { action, key, body: JSON.stringify({ UserPoolUid: pool, ...params }) });
    const started = performance.now();
    const created = await call("CreateUser", { PreferredUsername: "charged", Password: "a long enough password" });
    const uid = created.envelope.Result!.Uid as string;
    const codes = [errorOf(created)?.Code ?? "OK"];
    // Each call costs 1 + 3 tokens: of 30 (+ 1 a second), a handful pass; at 1 token each, all 30 would.
    const next = [
      () => call("UpdateUser", { UserUid: uid, Password: `another password ${codes.length}` }),
      () => call("CompletePasswordReset", { Token: `not-a-token-${codes.length}`, NewPassword: "a long enough password" }),
      () => call("CreateUser", { PreferredUsername: `charged${codes.length}`, Password: "a long enough password" }),
    ];
    while (codes.at(-1) !== "Throttling" && codes.length < 30) codes.push(errorOf(await next[(codes.length - 1) % 3]!())?.Code ?? "OK");
    const seconds = (performance.now() - started) / 1000;
    expect(codes.at(-1)).toBe("Throttling");
    expect(codes.slice(0, 4)).toEqual(["OK", "OK", "InvalidParameter.Token", "OK"]);
    expect(codes.length - 1).toBeLessThanOrEqual(Math.floor((30 + Math.ceil(seconds)) / 4));
  });

  it("takes several tokens all or nothing, and refuses locally what the bucket cannot hold", async () => {
    const { db } = await testDatabase();
    const key = { accountId: a.accountId, accessKeyId: `AKLTmany${Date.now()}` };
    let queries = 0;
    const limiter = createRateLimiter(db, { ratePerSecond: 1, burst: 20 }, (k, want, min) => {
      queries++;
      return leaseTokens(db, k, { ratePerSecond: 1, burst: 20, want, ...(min !== undefined && { min }) });
    });
    expect(limiter.maxCost).toBe(19);
    expect(await limiter.take(key, 5)).toBe(true);
    // 100 is charged as the most a take may cost, 19: more than the 15 left, so nothing is taken.
    expect(await limiter.take(key, 100)).toBe(false);
    expect(await limiter.take(key, 15)).toBe(true);
    const asked = queries;
    for (let i = 0; i < 50; i++) expect(await limiter.take(key, 3)).toBe(false);
    expect(queries).toBe(asked);
  });
});

const report: string[] = [];
afterAll(() => {
  if (report.length)
    console.log(`[reliability] throttling (${process.env.DATABASE_URL ? "Postgres" : "PGlite"}):\n  ${report.join("\n  ")}`);
});
