// What a SAML SP key pair costs and whom (issue 22, item 2): no key is made for a pool or connection
// that does not exist; a key pair is paid for on the caller's rate limit before it is made; and one
// tenant's burst of key pairs waits in its own lane of the fair CPU queue, so another tenant's
// password hash is not queued behind all of them on the libuv threadpool. Generations are counted
// at WebCrypto's generateKey, and fairness is judged by order (how many of the first tenant's keys
// were finished when the other tenant's CreateUser answered), never by milliseconds.
import { randomUUID, webcrypto } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { samlParams, validCertificate } from "../support/families/federation.js";
import { createPool, uniqueName } from "../support/families/user-pools.js";

/** Counts WebCrypto key generations (started and finished) in this process while installed. */
function countGenerations() {
  const proto = Object.getPrototypeOf(webcrypto.subtle) as { generateKey: (...args: unknown[]) => Promise<unknown> };
  const original = proto.generateKey;
  const counts = { started: 0, finished: 0 };
  proto.generateKey = function (this: unknown, ...args: unknown[]) {
    counts.started++;
    return original.apply(this, args).finally(() => counts.finished++);
  };
  return { counts, restore: () => void (proto.generateKey = original) };
}

let svc: TestService;
let counter: ReturnType<typeof countGenerations> | undefined;
beforeAll(async () => {
  // The burst below is about the hash queue's lanes, so all of it must reach the handlers: above the
  // gateway's per-account share (ID_ACCOUNT_CONCURRENCY, half the pool), which would hold most of it back.
  svc = await startTestService({ env: { ID_ACCOUNT_CONCURRENCY: "32" } });
  await validCertificate();
});
afterAll(() => svc.close());
afterEach(() => {
  counter?.restore();
  counter = undefined;
});

describe("SAML SP key pairs", () => {
  it("makes no key for a pool or a connection that does not exist", async () => {
    counter = countGenerations();
    const missingPool = await svc.call(
      "CreateIdentityProviderSAML",
      await samlParams(randomUUID(), { EnabledSign: true, EnabledEncryption: true }),
    );
    expect(codeOf(missingPool)).toBe("NotFound");
    const poolUid = await createPool(svc);
    const missing = await svc.call("UpdateIdentityProviderSAML", { UserPoolUid: poolUid, ConnectionUid: randomUUID(), EnabledSign: true });
    expect(codeOf(missing)).toBe("NotFound");
    // Another account's pool is missing too, and costs no key either.
    const foreign = await svc.call("CreateIdentityProviderSAML", await samlParams(poolUid, { EnabledSign: true }), { key: svc.otherAdmin });
    expect(codeOf(foreign)).toBe("NotFound");
    expect(counter.counts.started).toBe(0);
    // The same calls on things that exist do make one each.
    const made = await svc.ok("CreateIdentityProviderSAML", await samlParams(poolUid, { EnabledSign: true }));
    const plain = await svc.ok("CreateIdentityProviderSAML", await samlParams(poolUid));
    await svc.ok("UpdateIdentityProviderSAML", { UserPoolUid: poolUid, ConnectionUid: plain.Uid, EnabledEncryption: true });
    await svc.ok("UpdateIdentityProviderSAML", { UserPoolUid: poolUid, ConnectionUid: made.Uid, EnabledEncryption: true });
    expect(counter.counts.started).toBe(2);
  });

  it("charges a key pair on the caller's rate limit before making it", async () => {
    // Burst 13: the pool costs 1 and the first call 1 + 10 tokens; the second cannot pay, and makes nothing.
    const tight = await startTestService({ env: { ID_RATE_LIMIT_PER_SECOND: "1", ID_RATE_LIMIT_BURST: "13" } });
    try {
      const poolUid = await createPool(tight);
      counter = countGenerations();
      await tight.ok("CreateIdentityProviderSAML", await samlParams(poolUid, { EnabledSign: true }));
      const refused = await tight.call("CreateIdentityProviderSAML", await samlParams(poolUid, { EnabledSign: true }));
      expect(codeOf(refused)).toBe("Throttling");
      expect(refused.ResponseMetadata.Error!.Message).toMatch(/SAML SP key pair costs 10 request tokens/);
      expect(counter.counts.started).toBe(1);
    } finally {
      await tight.close();
    }
  });

  it("serves another tenant's password hash before one tenant's burst of key pairs is done", async () => {
    const BURST = 12;
    const poolA = await createPool(svc);
    const poolB = (await svc.ok("CreateUserPool", { Name: uniqueName("pool") }, { key: svc.otherAdmin })).Uid as string;
    const params = await Promise.all(Array.from({ length: BURST }, () => samlParams(poolA, { EnabledSign: true })));
    counter = countGenerations();
    const { counts } = counter;
    // What is judged is the queue's order, not the machine's speed: how many of A's key pairs finish
    // between B's hash joining the queue and B's hash starting. (B's request also spends time before
    // its hash, signature and pool lookup, during which A's keys may finish on a busy machine.)
    const queue = svc.deps.hashQueue;
    const originalRun = queue.run;
    let laneA: string | undefined;
    const seenByB = { enqueued: -1, started: -1 };
    queue.run = <T>(lane: string, work: () => Promise<T>): Promise<T> => {
      laneA ??= lane;
      if (lane === laneA) return originalRun.call(queue, lane, work) as Promise<T>;
      seenByB.enqueued = counts.finished;
      return originalRun.call(queue, lane, () => {
        seenByB.started = counts.finished;
        return work();
      }) as Promise<T>;
    };
    try {
      const burst = params.map((p) => svc.ok("CreateIdentityProviderSAML", p));
      // Every one of A's key pairs is asked for (made or waiting in A's lane) before B arrives.
      const queued = () => counts.started + queue.stats().waiting;
      for (let i = 0; queued() < BURST && i < 600; i++) await new Promise((r) => setTimeout(r, 50));
      expect(queued()).toBe(BURST);
      const user = await svc.ok(
        "CreateUser",
        { UserPoolUid: poolB, PreferredUsername: "b-user", Password: "a password of tenant B" },
        { key: svc.otherAdmin },
      );
      expect(user.Uid).toBeTruthy();
      await Promise.all(burst);
      expect(seenByB.enqueued).toBeGreaterThanOrEqual(0);
      const overtaken = seenByB.started - seenByB.enqueued;
      // Fair: B's hash waits for at most a round of A's lane (the jobs running when it arrived, one per
      // slot, and one more turn); the threadpool's one FIFO (before the fix) put it behind every key of
      // A's that was still waiting.
      expect(overtaken).toBeLessThanOrEqual(queue.concurrency + 1);
      expect(counts.finished).toBe(BURST);
      console.log(
        `[reliability] SP key fairness: ${overtaken} of A's ${BURST} key pairs finished while B's hash waited (${seenByB.enqueued} before it joined)`,
      );
    } finally {
      queue.run = originalRun;
    }
  }, 180_000);
});
