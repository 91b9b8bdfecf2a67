// The scale-out topology of docs/deployment.md, small: two instances behind HAProxy (round robin),
// sharing one Postgres through PgBouncer in transaction mode. The throttling, quota and replay
// suites' assertions must hold through the balancer, where consecutive calls of one key land on
// different instances. Uses the suite's PgBouncer in its PgBouncer pass, otherwise one of its own.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTestService, type TestService } from "../support/harness.js";
import { haproxyUnavailableReason, startHaproxy, type Haproxy } from "../support/haproxy.js";
import { createPoolsAtOnce, hammer, sharedRateBound } from "../support/limits.js";
import { pgbouncerUnavailableReason, startPgbouncer, type Pgbouncer } from "../support/pgbouncer.js";
import { buildSigned, errorOf, rawCall } from "../support/raw.js";

const direct = inject("directDatabaseUrl");
const viaSuiteBouncer = inject("databasePooler") === "pgbouncer";
const skipReason = !direct ? "no Postgres (PGlite run)" : haproxyUnavailableReason() ?? (viaSuiteBouncer ? undefined : pgbouncerUnavailableReason());
if (skipReason) console.log(`[reliability] load-balancer skipped: ${skipReason}`);

const RATE = 10;
const BURST = 30;
const QUOTA = 5;
let bouncer: Pgbouncer | undefined;
const instances: TestService[] = [];
const balancers: Haproxy[] = [];

/** Two instances with `env` behind a balancer of their own; a view of the first that calls through the balancer. */
async function behindBalancer(databaseUrl: string, env: Record<string, string>): Promise<TestService> {
  const pair = await Promise.all([1, 2].map(() => startTestService({ databaseUrl, pooler: "pgbouncer", env })));
  instances.push(...pair);
  const lb = await startHaproxy(pair.map((s) => Number(new URL(s.url).port)));
  balancers.push(lb);
  return { ...pair[0]!, url: `http://${lb.host}`, host: lb.host };
}

let limited: TestService;
let quota: TestService;
let strict: TestService;

beforeAll(async () => {
  if (skipReason) return;
  let url = inject("databaseUrl")!;
  if (!viaSuiteBouncer) {
    bouncer = await startPgbouncer(direct!);
    url = bouncer.url(direct!);
  }
  [limited, quota, strict] = await Promise.all([
    behindBalancer(url, { ID_RATE_LIMIT_PER_SECOND: String(RATE), ID_RATE_LIMIT_BURST: String(BURST) }),
    behindBalancer(url, { ID_QUOTA_USER_POOLS: String(QUOTA) }),
    behindBalancer(url, { ID_REPLAY_PROTECTION: "on" }),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all(balancers.map((b) => b.stop()));
  await Promise.all(instances.map((s) => s.close()));
  await bouncer?.stop();
});

const report: string[] = [];

describe.skipIf(Boolean(skipReason))("two instances behind HAProxy, through PgBouncer", () => {
  it("spreads one key's calls over both instances", async () => {
    for (let i = 0; i < 6; i++) expect(errorOf(await rawCall(quota, { action: "GetUserPool", body: JSON.stringify({ UserPoolUid: "none" }) }))?.Code).toBe("NotFound");
    // Each instance's log holds the requests it served: both of the pair served some (no other instance gets GetUserPool).
    const served = instances.filter((s) => s.logs.some((l) => l.includes('"action":"GetUserPool"')));
    expect(served).toHaveLength(2);
  });

  it("holds the rate of one key across the instances (throttling suite's bound)", async () => {
    const key = await limited.newKey("admin");
    const started = performance.now();
    const t = await hammer([limited], key, 200, 10);
    const seconds = (performance.now() - started) / 1000;
    const bound = sharedRateBound({ burst: BURST, rate: RATE, seconds, instances: 2, leaseSize: 1 });
    expect(t.other).toEqual([]);
    expect(t.ok).toBeGreaterThanOrEqual(BURST);
    expect(t.ok).toBeLessThanOrEqual(bound);
    report.push(`throttling through HAProxy (2 instances, ${RATE}/s burst ${BURST}): ${t.ok} of 200 admitted in ${seconds.toFixed(2)} s (bound ${bound}), ${t.throttled} Throttling, ${t.other.length} other`);
  });

  it("lets exactly the quota through when creates race over the instances (quota suite's assertion)", async () => {
    const codes = await createPoolsAtOnce([quota], quota.admin, 20, "lb");
    expect(codes.filter((c) => c === "OK")).toHaveLength(QUOTA);
    expect(codes.filter((c) => c === "QuotaExceeded")).toHaveLength(20 - QUOTA);
    report.push(`quota through HAProxy: 20 parallel CreateUserPool at quota ${QUOTA} -> ${codes.filter((c) => c === "OK").length} OK, ${codes.filter((c) => c === "QuotaExceeded").length} QuotaExceeded`);
  });

  it("refuses a replayed request on whichever instance it lands (replay suite's assertion)", async () => {
    const captured = buildSigned(strict, { action: "CreateUserPool", body: JSON.stringify({ Name: `replayed-${Date.now()}` }) });
    const headers = Object.fromEntries(Object.entries(captured.headers).filter(([k]) => k !== "Host"));
    const codes = await Promise.all(Array.from({ length: 20 }, async () => {
      const res = await fetch(captured.url, { method: "POST", headers, body: captured.body });
      return ((await res.json()) as { ResponseMetadata: { Error?: { Code: string } } }).ResponseMetadata.Error?.Code ?? "OK";
    }));
    expect(codes.filter((c) => c === "OK")).toHaveLength(1);
    expect(codes.filter((c) => c === "InvalidTimestamp")).toHaveLength(19);
  });
});

afterAll(() => {
  if (report.length) console.log(`[reliability] load-balancer:\n  ${report.join("\n  ")}`);
});
