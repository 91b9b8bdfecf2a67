// The two checks between the signature and the action, on their own with in-memory stand-ins for the
// shared bucket and ledger: throttling answers 429 with Retry-After, and the replay ledger keeps a
// signature exactly as long as the clock check would accept it, plus a margin.
import { describe, expect, it } from "vitest";
import type { MiddlewareHandler } from "hono";
import type { GatewayEnv } from "../../../src/control-plane/gateway/context.js";
import { replayProtection } from "../../../src/control-plane/gateway/replay.js";
import { throttle } from "../../../src/control-plane/gateway/throttle.js";
import type { ParsedAuth } from "../../../src/control-plane/gateway/signing/verify.js";
import { fakeContext } from "../../support/unit/edge.js";

const principal = { accessKeyId: "AK1", accountId: "2100000001", role: "admin" };
async function run(mw: MiddlewareHandler<GatewayEnv>, vars: Record<string, unknown>) {
  const c = fakeContext(vars);
  let nextCalls = 0;
  const outcome = await (mw as (c: unknown, next: () => Promise<void>) => Promise<void>)(c, async () => void nextCalls++).then(
    () => "OK",
    (e: { code: string; message: string }) => `${e.code}: ${e.message}`,
  );
  return { outcome, nextCalls, headers: c.headers };
}

describe("throttle", () => {
  it("is a pass-through without a limiter", async () => {
    const mw = throttle({ limiter: undefined, ratePerSecond: 0, burst: 0 });
    expect(mw.name).toBe("noThrottle");
    expect(await run(mw, {})).toMatchObject({ outcome: "OK", nextCalls: 1 });
  });
  it("asks the bucket of the caller's key and account, and goes on while it has tokens", async () => {
    const asked: unknown[] = [];
    const mw = throttle({
      limiter: { take: async (k) => (asked.push(k), true), leaseSize: 1, leases: 0, maxCost: 100 },
      ratePerSecond: 5,
      burst: 10,
    });
    const r = await run(mw, { principal });
    expect([r.outcome, r.nextCalls, r.headers.size]).toEqual(["OK", 1, 0]);
    expect(asked).toEqual([{ accessKeyId: "AK1", accountId: "2100000001" }]);
  });
  it("answers Throttling with Retry-After: 1 when the bucket is empty, naming the rate and burst", async () => {
    const mw = throttle({ limiter: { take: async () => false, leaseSize: 1, leases: 0, maxCost: 100 }, ratePerSecond: 5, burst: 10 });
    const r = await run(mw, { principal });
    // Retry-After comes from the error's retryAfterSeconds, set by the app's error renderer
    // (test/reliability/throttling.test.ts checks the header on the wire).
    expect([r.outcome, r.nextCalls]).toEqual(["Throttling: the access key exceeded its request rate (5/s, burst 10); retry later", 0]);
  });
});

describe("replay protection", () => {
  const xDate = "20251030T080910Z";
  const signedAt = Date.UTC(2025, 9, 30, 8, 9, 10);
  const auth = (over: Partial<ParsedAuth>) => ({ form: "header", xDate, signature: "s".repeat(64), expiresSeconds: undefined, ...over });
  function ledger() {
    const seen = new Map<string, Date>();
    return {
      seen,
      async firstUse(e: { accountId: string; signature: string; expiresAt: Date }) {
        const k = `${e.accountId}/${e.signature}`;
        if (seen.has(k)) return false;
        seen.set(k, e.expiresAt);
        return true;
      },
    };
  }

  it("is a pass-through when off", async () => {
    const mw = replayProtection({ ledger: undefined, maxSkewSeconds: 900 });
    expect(mw.name).toBe("noReplayProtection");
    expect(await run(mw, {})).toMatchObject({ outcome: "OK", nextCalls: 1 });
  });
  it("lets the first use through and refuses the second with InvalidTimestamp", async () => {
    const l = ledger();
    const mw = replayProtection({ ledger: l, maxSkewSeconds: 900 });
    expect(await run(mw, { auth: auth({}), principal })).toMatchObject({ outcome: "OK", nextCalls: 1 });
    expect(await run(mw, { auth: auth({}), principal })).toMatchObject({
      outcome: "InvalidTimestamp: this signed request was already used; sign every request afresh (a new X-Date)",
      nextCalls: 0,
    });
    expect(await run(mw, { auth: auth({}), principal: { ...principal, accountId: "2100000002" } })).toMatchObject({ outcome: "OK" });
  });
  it("keeps a header-form signature for the skew window after X-Date, plus a minute", async () => {
    const l = ledger();
    await run(replayProtection({ ledger: l, maxSkewSeconds: 900 }), { auth: auth({ expiresSeconds: 5 }), principal });
    expect([...l.seen.values()]).toEqual([new Date(signedAt + 900_000 + 60_000)]);
  });
  it("keeps a presigned signature for its X-Expires, or the skew window without one", async () => {
    const l = ledger();
    const mw = replayProtection({ ledger: l, maxSkewSeconds: 900 });
    await run(mw, { auth: auth({ form: "query", expiresSeconds: 604800, signature: "a" }), principal });
    await run(mw, { auth: auth({ form: "query", expiresSeconds: undefined, signature: "b" }), principal });
    expect([...l.seen.values()]).toEqual([new Date(signedAt + 604800_000 + 60_000), new Date(signedAt + 900_000 + 60_000)]);
  });
});
