// Issue 10 finding 10: the access-key resolver under a flood of unknown ids, on the real database
// with every query counted (a Kysely plugin on the real connection). A flood of 10,000 distinct
// unknown ids no longer empties the cache: a key in use is still answered from memory. An unknown id
// costs one query per negative lifetime. A key created (or enabled) right after a lookup missed it is
// found as soon as the change's NOTIFY arrives, not after the negative lifetime.
import type { KyselyPlugin } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followAccessKeyChanges } from "../../src/access-keys/key-changes.js";
import { createAccessKeyResolver } from "../../src/access-keys/resolver.js";
import { createLogger } from "../../src/platform/log.js";
import { createAccessKey, generateAccessKeyPair, setAccessKeyEnabledAndAnnounce } from "../../src/access-keys/service.js";
import { randomAccountId, startTestService, testDatabase, type TestService } from "../support/harness.js";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

/** The service's database with a count of the statements sent through it. */
function countedDb() {
  const count = { queries: 0 };
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      count.queries++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { db: svc.deps.db.withPlugin(plugin), count };
}

const unknownId = (i: number) => `AKLTunknown${String(i).padStart(8, "0")}${Math.random().toString(36).slice(2, 8)}`;

describe("access-key resolver cache", () => {
  it("keeps a key in use through 10,000 distinct unknown ids: still served from memory, no query", { timeout: 300_000 }, async () => {
    const { db, count } = countedDb();
    // Lifetimes far beyond the test: only eviction could make the known key cost a query again.
    const resolver = createAccessKeyResolver({ db, secretBox: svc.deps.secretBox }, { ttlMs: 3_600_000, negativeTtlMs: 3_600_000 });
    const known = await svc.newKey("admin");
    expect((await resolver.resolve(known.accessKeyId))?.principal.accountId).toBe(svc.accountId);
    expect(count.queries).toBe(1);

    const started = performance.now();
    const ids = Array.from({ length: 10_000 }, (_, i) => unknownId(i));
    for (let i = 0; i < ids.length; i += 100) {
      const answers = await Promise.all(ids.slice(i, i + 100).map((id) => resolver.resolve(id)));
      expect(answers.every((a) => a === undefined)).toBe(true);
    }
    const floodMs = performance.now() - started;
    expect(count.queries).toBe(1 + 10_000);

    expect((await resolver.resolve(known.accessKeyId))?.principal.accessKeyId).toBe(known.accessKeyId);
    expect(count.queries).toBe(1 + 10_000);
    const hitStarted = performance.now();
    for (let i = 0; i < 1000; i++) await resolver.resolve(known.accessKeyId);
    const hitUs = performance.now() - hitStarted; // 1000 lookups: ms total = µs each
    expect(count.queries).toBe(1 + 10_000);
    // The flood's own ids, asked again, are remembered as unknown: no query either.
    await Promise.all(ids.slice(-1000).map((id) => resolver.resolve(id)));
    expect(count.queries).toBe(1 + 10_000);
    console.log(
      `[resolver] 10000 distinct unknown ids: ${Math.round(floodMs)} ms (${Math.round(10_000 / (floodMs / 1000))}/s, one query each); known key afterwards: from cache, ${hitUs.toFixed(1)} µs a lookup, 0 queries`,
    );
  });

  it("asks the database once per unknown id per negative lifetime, however often and concurrently it is asked", async () => {
    const { db, count } = countedDb();
    let now = 1_000_000;
    const resolver = createAccessKeyResolver({ db, secretBox: svc.deps.secretBox }, { negativeTtlMs: 1000, now: () => now });
    const id = unknownId(1);
    await Promise.all(Array.from({ length: 50 }, () => resolver.resolve(id)));
    for (let i = 0; i < 50; i++) await resolver.resolve(id);
    expect(count.queries).toBe(1);
    now += 999;
    await resolver.resolve(id);
    expect(count.queries).toBe(1);
    now += 2;
    await Promise.all(Array.from({ length: 10 }, () => resolver.resolve(id)));
    expect(count.queries).toBe(2);
  });

  it("does not keep an answer read while a change of that key was announced", async () => {
    const { db, count } = countedDb();
    const resolver = createAccessKeyResolver({ db, secretBox: svc.deps.secretBox }, { negativeTtlMs: 3_600_000 });
    const id = unknownId(2);
    const reading = resolver.resolve(id);
    resolver.invalidate(id);
    expect(await reading).toBeUndefined();
    await resolver.resolve(id);
    expect(count.queries).toBe(2);
    await resolver.resolve(id);
    expect(count.queries).toBe(2);
  });

  it("finds a key created or enabled right after a lookup missed it, once the change is announced (not after the negative lifetime)", {
    timeout: 60_000,
  }, async () => {
    const database = await testDatabase();
    const resolver = createAccessKeyResolver(
      { db: svc.deps.db, secretBox: svc.deps.secretBox },
      { ttlMs: 3_600_000, negativeTtlMs: 3_600_000 },
    );
    // The server's own follower: NOTIFY on a direct connection, the change counter's poll through PgBouncer.
    const follower = await followAccessKeyChanges({ database, config: svc.config, resolver, log: createLogger("silent") });
    const waitFor = async (cond: () => Promise<boolean>) => {
      const started = Date.now();
      while (!(await cond())) {
        if (Date.now() - started > 30_000) throw new Error("the change was never seen");
        await new Promise((r) => setTimeout(r, 10));
      }
      return Date.now() - started;
    };
    try {
      const pair = generateAccessKeyPair();
      expect(await resolver.resolve(pair.accessKeyId)).toBeUndefined();
      await createAccessKey(svc.deps, { accountId: randomAccountId(), role: "admin", pair });
      const createdMs = await waitFor(async () => (await resolver.resolve(pair.accessKeyId)) !== undefined);
      await setAccessKeyEnabledAndAnnounce(svc.deps.db, pair.accessKeyId, false);
      await waitFor(async () => (await resolver.resolve(pair.accessKeyId))?.enabled === false);
      await setAccessKeyEnabledAndAnnounce(svc.deps.db, pair.accessKeyId, true);
      const enabledMs = await waitFor(async () => (await resolver.resolve(pair.accessKeyId))?.enabled === true);
      console.log(
        `[resolver] (${follower.source}) created key found ${createdMs} ms after the create returned, enabled key ${enabledMs} ms after (negative lifetime 1 h)`,
      );
    } finally {
      await follower.stop();
    }
  });
});
