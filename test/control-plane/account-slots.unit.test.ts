// The per-account share of requests in progress (src/control-plane/gateway/account-slots.ts): at most
// `active` at once, then a queue of at most `queued` served in arrival order, then a refusal (the
// middleware answers it as Throttling). Accounts do not share slots. Through the app, with the
// database, in test/reliability/slow-tenant.test.ts.
import { describe, expect, it } from "vitest";
import { AccountSlots } from "../../src/control-plane/gateway/account-slots.js";

const settled = async <T>(p: Promise<T>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

describe("AccountSlots", () => {
  it("runs `active` requests of an account, queues `queued` more in order, refuses the rest; other accounts are apart", async () => {
    const slots = new AccountSlots(2, 2);
    const a1 = await slots.acquire("a")!;
    const a2 = await slots.acquire("a")!;
    const w1 = slots.acquire("a")!;
    const w2 = slots.acquire("a")!;
    expect(slots.acquire("a")).toBeUndefined();
    expect(slots.load("a")).toEqual({ active: 2, waiting: 2 });
    // Another account has slots of its own.
    const b1 = await slots.acquire("b")!;
    expect(await settled(w1)).toBe(false);

    a1();
    expect(await settled(w1)).toBe(true);
    expect(await settled(w2)).toBe(false);
    a2();
    expect(await settled(w2)).toBe(true);
    expect(slots.load("a")).toEqual({ active: 2, waiting: 0 });
    (await w1)();
    (await w2)();
    b1();
    expect(slots.load("a")).toEqual({ active: 0, waiting: 0 });
    expect(slots.load("b")).toEqual({ active: 0, waiting: 0 });
  });

  it("with a queue of 0, refuses as soon as the slots are taken", async () => {
    const slots = new AccountSlots(1, 0);
    const release = await slots.acquire("a")!;
    expect(slots.acquire("a")).toBeUndefined();
    release();
    expect(slots.acquire("a")).toBeDefined();
  });
});
