// Throttling: the per-access-key token bucket (ID_RATE_LIMIT_PER_SECOND / ID_RATE_LIMIT_BURST) through
// real servers, including two instances sharing one database and one key, and the limiter's promise
// of few database round trips. Figures go to test/reliability/REPORT.md.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leaseTokens } from "../../src/rate-limits/queries.js";
import { createRateLimiter } from "../../src/rate-limits/limiter.js";
import { startTestService, testDatabase, type TestService } from "../support/harness.js";
import { hammer, sharedRateBound } from "../support/limits.js";
import { errorOf, rawCall } from "../support/raw.js";

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
    // A token refills every 100 ms: of a few calls at once right after the flood, some are refused
    // however slowly this machine got here.
    const next = await Promise.all(Array.from({ length: 5 }, () => rawCall(a, { action: "ListUserPools", key })));
    const refused = next.find((r) => r.status === 429)!;
    expect(refused).toBeDefined();
    expect(errorOf(refused)).toMatchObject({ Code: "Throttling" });
    expect(refused.headers.get("retry-after")).toBe("1");
    // 0.5 s refills 5 tokens: the key works again without anyone resetting it.
    await new Promise((r) => setTimeout(r, 500));
    expect(errorOf(await rawCall(a, { action: "ListUserPools", key }))).toBeUndefined();
  });

  it("throttles each key alone: a flooded key leaves another key of the account untouched", async () => {
    const [flooded, quiet] = await Promise.all([a.newKey("admin"), a.newKey("admin")]);
    const t = await hammer([a], flooded, 60);
    expect(t.throttled).toBeGreaterThan(0);
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
    report.push(`two instances, one key, ${RATE}/s burst ${BURST}: ${t.ok + t.throttled} requests in ${seconds.toFixed(2)} s, ` +
      `${t.ok} admitted (bound ${sharedBound}; a per-process budget would allow ${2 * (BURST + Math.ceil(RATE * seconds))}), ` +
      `${t.throttled} Throttling, ${t.other.length} other errors`);
  });

  it("is off with ID_RATE_LIMIT_PER_SECOND=0: no bucket is ever written", async () => {
    const off = await startTestService({ env: { ID_RATE_LIMIT_PER_SECOND: "0", ID_RATE_LIMIT_BURST: "1" } });
    try {
      const t = await hammer([off], off.admin, 60);
      expect(t).toEqual({ ok: 60, throttled: 0, other: [] });
      const rows = await off.deps.db.withTables<{ rate_limits: { access_key_id: string } }>()
        .selectFrom("rate_limits").select("access_key_id").where("access_key_id", "=", off.admin.accessKeyId).execute();
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

const report: string[] = [];
afterAll(() => {
  if (report.length) console.log(`[reliability] throttling (${process.env.DATABASE_URL ? "Postgres" : "PGlite"}):\n  ${report.join("\n  ")}`);
});
