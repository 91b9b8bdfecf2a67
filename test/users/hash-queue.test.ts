// The fair hash queue (src/users/hash-queue.ts) driven by fake work that the test finishes by hand,
// so the fairness property is checked by the order jobs start in, never by how long anything takes:
// one account's backlog of 300 cannot hold another account's single job for more than one round.
// The last case checks through a real server that the service's hashing goes through the queue.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHashQueue, defaultHashConcurrency, type HashQueue } from "../../src/users/hash-queue.js";
import { startTestService, type TestService } from "../support/harness.js";
import { newPool } from "../support/families/users.js";

/** A queue whose jobs only record that they started and wait until the test finishes them. */
function fakeWork(concurrency: number) {
  const queue = createHashQueue({ concurrency });
  const started: string[] = [];
  const finishers: Array<() => void> = [];
  let maxRunning = 0;
  const submit = (lane: string, label = lane) =>
    queue.run(lane, () => {
      started.push(label);
      maxRunning = Math.max(maxRunning, queue.stats().running);
      return new Promise<string>((resolve) => finishers.push(() => resolve(label)));
    });
  /** Finishes the oldest running job and lets the queue start the next one. */
  const finishOne = async () => {
    finishers.shift()!();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { queue, started, submit, finishOne, maxRunning: () => maxRunning };
}

describe("fair hash queue", () => {
  it("starts another account's single job within one round of a 300-job backlog", async () => {
    const f = fakeWork(2);
    const backlog = Array.from({ length: 300 }, (_, i) => f.submit("A", `A${i}`));
    expect(f.started).toEqual(["A0", "A1"]);
    await f.finishOne();
    const single = f.submit("B");
    const startedBefore = f.started.length;
    // One round: at most one more job of the only other busy lane starts before B's.
    await f.finishOne();
    await f.finishOne();
    expect(f.started.slice(startedBefore)).toContain("B");
    expect(f.started.indexOf("B") - startedBefore).toBeLessThanOrEqual(1);
    while (f.queue.stats().running) await f.finishOne();
    expect(await single).toBe("B");
    expect((await Promise.all(backlog)).length).toBe(300);
    expect(f.maxRunning()).toBe(2);
    expect(f.queue.stats()).toEqual({ running: 0, waiting: 0, lanes: 0 });
  });

  it("serves busy lanes round-robin and each lane in arrival order", async () => {
    const f = fakeWork(1);
    for (let i = 0; i < 3; i++) f.submit("A", `A${i}`);
    for (let i = 0; i < 3; i++) f.submit("B", `B${i}`);
    f.submit("C", "C0");
    while (f.queue.stats().running) await f.finishOne();
    expect(f.started).toEqual(["A0", "A1", "B0", "C0", "A2", "B1", "B2"]);
  });

  it("frees the slot when the work rejects or throws, and passes the error on", async () => {
    const queue = createHashQueue({ concurrency: 1 });
    await expect(queue.run("A", () => Promise.reject(new Error("rejected")))).rejects.toThrow("rejected");
    await expect(
      queue.run("A", () => {
        throw new Error("thrown");
      }),
    ).rejects.toThrow("thrown");
    expect(await queue.run("A", async () => "still serving")).toBe("still serving");
    expect(queue.stats()).toEqual({ running: 0, waiting: 0, lanes: 0 });
  });

  it("defaults to one hash per core and leaves a threadpool thread free", () => {
    expect(defaultHashConcurrency(4, 2)).toBe(2);
    expect(defaultHashConcurrency(4, 16)).toBe(3);
    expect(defaultHashConcurrency(1, 8)).toBe(1);
    expect(() => createHashQueue({ concurrency: 0 })).toThrow();
  });
});

describe("hashing through the queue", () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc?.close();
  });

  it("hashes and verifies every password in the caller's account lane", async () => {
    const lanes: string[] = [];
    const real = svc.deps.hashQueue;
    const recording: HashQueue = { ...real, run: (lane, work) => (lanes.push(lane), real.run(lane, work)) };
    svc.deps.hashQueue = recording;
    try {
      const pool = await newPool(svc);
      const users = Array.from({ length: 3 }, (_, i) => ({ PreferredUsername: `q${i}`, Password: `a queued password ${i}` }));
      const batch = await svc.ok("CreateUsers", { UserPoolUid: pool, Users: [...users, { PreferredUsername: "nopassword" }] });
      expect(batch.SuccessCount).toBe(4);
      await svc.ok("UpdateUser", { UserPoolUid: pool, UserUid: batch.SuccessfulUids[0], Password: "another queued password" });
      expect(lanes).toEqual(Array(4).fill(svc.accountId));
    } finally {
      svc.deps.hashQueue = real;
    }
  });
});
