// Database faults: a service on a private, throwaway Postgres (never the shared one) under a mixed
// write load; the database is killed (pg_ctl stop -m immediate) and restarted. Requests must fail
// fast with ServiceUnavailable, /readyz must go red, the service must recover by itself, and no
// acknowledged write may be lost or half-made. Figures go to test/reliability/REPORT.md.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../src/platform/db/circuit-breaker.js";
import { connectDatabase, type DatabaseHandle } from "../../src/platform/db/connect.js";
import { translateDbError } from "../../src/platform/db/errors.js";
import { startTestService, type TestService } from "../support/harness.js";
import { createPostgresInstance, postgresUnavailableReason, type PostgresInstance } from "../support/infra/postgres-instance.js";
import { now, seedPools, sleep, startWriteLoad, unexpectedAnswers, verifyLedger, waitForReadyz } from "../support/infra/write-load.js";

const skipReason = postgresUnavailableReason();
if (skipReason) console.log(`[reliability] db-faults skipped: ${skipReason}`);

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

/** Waits for a condition on the load's outcomes; the bound catches a load that stopped, not a slow one. */
async function until(cond: () => boolean, boundMs = 120_000): Promise<void> {
  const end = now() + boundMs;
  while (!cond()) {
    if (now() > end) throw new Error("the load stopped making requests");
    await sleep(50);
  }
}

describe.skipIf(Boolean(skipReason))("database faults (private Postgres, stopped and restarted under load)", () => {
  it("fails fast with ServiceUnavailable, goes red, recovers by itself, and loses no acknowledged write", {
    timeout: 600_000,
  }, async () => {
    const pools = await seedPools(svc);
    const load = startWriteLoad(svc, pools);
    const { outcomes } = load;

    await sleep(1500);
    const stopAt = now();
    await pg.stop();
    const stopped = now();
    const redAt = await waitForReadyz(svc, 503, 5000);
    // Counts, not durations: a loaded machine sends fewer requests a second, so it waits longer.
    await until(() => outcomes.filter((o) => o.started >= stopped).length >= 30);
    const restartAt = now();
    await pg.start();
    const restarted = now();
    const greenAt = await waitForReadyz(svc, 200, 15_000);
    await until(() => greenAt !== undefined && outcomes.filter((o) => o.started >= greenAt + 1000).length >= 25);
    await load.stop();

    if (process.env.DBF_DEBUG) {
      const t = (x: number) => Math.round(x - stopped);
      (await import("node:fs")).writeFileSync(
        process.env.DBF_DEBUG,
        JSON.stringify(
          {
            stopAt: t(stopAt),
            restartAt: t(restartAt),
            restarted: t(restarted),
            redAt: redAt && t(redAt),
            greenAt: greenAt && t(greenAt),
            outcomes: outcomes.map((o) => `${t(o.started)}..${t(o.ended)} ${o.op} ${o.status} ${o.code}`),
          },
          null,
          1,
        ),
      );
      (await import("node:fs")).writeFileSync(process.env.DBF_DEBUG + ".log", svc.logs.join(""));
    }
    // Nothing but success or ServiceUnavailable, ever; no client-side failure (hang, reset).
    const unexpected = unexpectedAnswers(outcomes);
    expect(unexpected).toEqual([]);
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

    const { lost, unacknowledgedPools: unacknowledged } = await verifyLedger(check, svc.accountId, outcomes, pools.length);
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

const figures: string[] = [];
afterAll(() => {
  if (figures.length) console.log(`[reliability] db-faults:\n  ${figures.join("\n  ")}`);
});
