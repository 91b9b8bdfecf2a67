// The scale-out topology of docs/deployment.md, small: two instances behind HAProxy (round robin),
// sharing one Postgres through PgBouncer in transaction mode. The throttling, quota and replay
// suites' assertions must hold through the balancer, where consecutive calls of one key land on
// different instances; and the rolling restart of docs/deployment.md (take an instance out of the
// balancer, SIGTERM, start the new one, put it back) must cost no request under load. Uses the
// suite's PgBouncer in its PgBouncer pass, otherwise one of its own.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { childClient, childEnv, startChild, type CallOutcome, type Child } from "../support/infra/child-server.js";
import { startTestService, type TestService } from "../support/harness.js";
import { haproxyUnavailableReason, startHaproxy, type Haproxy } from "../support/infra/haproxy.js";
import { createPoolsAtOnce, hammer, sharedRateBound } from "../support/infra/limits.js";
import { pgbouncerUnavailableReason, startPgbouncer, type Pgbouncer } from "../support/infra/pgbouncer.js";
import { buildSigned, errorOf, rawCall } from "../support/raw.js";

const direct = inject("directDatabaseUrl");
const viaSuiteBouncer = inject("databasePooler") === "pgbouncer";
const skipReason = !direct
  ? "no Postgres (PGlite run)"
  : (haproxyUnavailableReason() ?? (viaSuiteBouncer ? undefined : pgbouncerUnavailableReason()));
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

let pooledUrl: string;
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
  pooledUrl = url;
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
    for (let i = 0; i < 6; i++)
      expect(errorOf(await rawCall(quota, { action: "GetUserPool", body: JSON.stringify({ UserPoolUid: "none" }) }))?.Code).toBe(
        "NotFound",
      );
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
    report.push(
      `throttling through HAProxy (2 instances, ${RATE}/s burst ${BURST}): ${t.ok} of 200 admitted in ${seconds.toFixed(2)} s (bound ${bound}), ${t.throttled} Throttling, ${t.other.length} other`,
    );
  });

  it("lets exactly the quota through when creates race over the instances (quota suite's assertion)", async () => {
    const codes = await createPoolsAtOnce([quota], quota.admin, 20, "lb");
    expect(codes.filter((c) => c === "OK")).toHaveLength(QUOTA);
    expect(codes.filter((c) => c === "QuotaExceeded")).toHaveLength(20 - QUOTA);
    report.push(
      `quota through HAProxy: 20 parallel CreateUserPool at quota ${QUOTA} -> ${codes.filter((c) => c === "OK").length} OK, ${codes.filter((c) => c === "QuotaExceeded").length} QuotaExceeded`,
    );
  });

  // 20 requests at once through HAProxy and PgBouncer: on the shared two-core machine with another
  // suite running this took over 30 s once, so it gets the rolling restart's bound.
  it("refuses a replayed request on whichever instance it lands (replay suite's assertion)", { timeout: 180_000 }, async () => {
    const captured = buildSigned(strict, { action: "CreateUserPool", body: JSON.stringify({ Name: `replayed-${Date.now()}` }) });
    const headers = Object.fromEntries(Object.entries(captured.headers).filter(([k]) => k !== "Host"));
    const codes = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const res = await fetch(captured.url, { method: "POST", headers, body: captured.body });
        const text = await res.text();
        // Not JSON: the balancer answered (a 504 after its 30 s), which the failure should show as such.
        if (!text.startsWith("{")) return `HTTP ${res.status} from the balancer: ${text.slice(0, 60)}`;
        return (JSON.parse(text) as { ResponseMetadata: { Error?: { Code: string } } }).ResponseMetadata.Error?.Code ?? "OK";
      }),
    );
    expect(codes.filter((c) => c !== "OK" && c !== "InvalidTimestamp")).toEqual([]);
    expect(codes.filter((c) => c === "OK")).toHaveLength(1);
    expect(codes.filter((c) => c === "InvalidTimestamp")).toHaveLength(19);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Requests HAProxy has open to one server (scur of `show stat`). */
async function inFlight(lb: Haproxy, server: string): Promise<number> {
  const line = (await lb.command("show stat")).split("\n").find((l) => l.startsWith(`instances,${server},`));
  return Number(line?.split(",")[4] ?? 0);
}

describe.skipIf(Boolean(skipReason))("rolling restart behind HAProxy", () => {
  it("replaces both instances under load without a failed request", { timeout: 180_000 }, async () => {
    // One environment for all: the instances share the master key and the root key, as a deployment's do.
    // Throttling off: four workers on one key reach the default 200 requests a second on a fast
    // enough machine, and a 429 is not what a restart may cause (the rate is tested above).
    const { env, key } = childEnv(pooledUrl, {
      DATABASE_POOLER: "pgbouncer",
      ID_QUOTA_USER_POOLS: "1000000",
      ID_RATE_LIMIT_PER_SECOND: "0",
    });
    const portOf = (c: Child) => Number(c.host.split(":")[1]);
    const children = await Promise.all([startChild(env, 60_000), startChild(env, 60_000)]);
    const lb = await startHaproxy(children.map(portOf));
    balancers.push(lb);
    const client = childClient(lb.host, key, 8);
    const outcomes: CallOutcome[] = [];
    let running = true;
    let n = 0;
    const worker = async () => {
      while (running) {
        const i = n++;
        outcomes.push(await (i % 2 ? client.call("CreateUserPool", { Name: `roll-${i}` }) : client.call("ListUserPools", {})));
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    try {
      await sleep(1000);
      for (const [i, old] of children.entries()) {
        const server = `i${i + 1}`;
        // 1. Out of the rotation: no new request goes to it; 2. its requests in flight finish.
        await lb.command(`set server instances/${server} state maint`);
        while ((await inFlight(lb, server)) > 0) await sleep(50);
        // 3. SIGTERM: it has nothing left to finish and exits.
        old.child.kill("SIGTERM");
        expect((await old.exited).code).toBe(0);
        // 4. The new version, then back into the rotation; HAProxy sends it requests once /readyz passes twice.
        const next = await startChild(env, 60_000);
        children[i] = next;
        await lb.command(`set server instances/${server} addr 127.0.0.1 port ${portOf(next)}`);
        await lb.command(`set server instances/${server} state ready`);
        while (!next.output().includes('"msg":"request"')) await sleep(100);
      }
      await sleep(500);
    } finally {
      running = false;
      await Promise.all(workers);
      client.close();
      for (const c of children) c.child.kill("SIGTERM");
      await Promise.all(children.map((c) => c.exited));
    }
    const failed = outcomes.filter((o) => o.status !== 200).map((o) => `${o.action} ${o.status} ${o.code}`);
    expect([...new Set(failed)]).toEqual([]);
    report.push(`rolling restart of 2 instances behind HAProxy under 4 workers: ${outcomes.length} requests, ${failed.length} failed`);
  });
});

afterAll(() => {
  if (report.length) console.log(`[reliability] load-balancer:\n  ${report.join("\n  ")}`);
});
