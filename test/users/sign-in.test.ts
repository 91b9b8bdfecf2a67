// Password sign-in (src/users/sign-in.ts) against the real database and the real hash queue: each
// identifier type the pool allows, its switches, DISABLED and unconfirmed users, one answer for an
// unknown user and a wrong password (and the dummy verification that makes their cost equal),
// throttling shared by two instances of the app, its cap, and what a sign-in records.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHashQueue, type HashQueue } from "../../src/users/hash-queue.js";
import { authenticatePassword, recordSignIn, type PasswordAttempt } from "../../src/users/sign-in.js";
import { recordFailure, THROTTLE, throttleKeys, waitSeconds } from "../../src/users/sign-in-throttle.js";
import type { AppDeps, Clock } from "../../src/deps.js";
import { purgeOnce } from "../../src/platform/housekeeping/worker.js";
import { signInThrottlePurges } from "../../src/users/purge.js";
import { connectTestDatabase, startTestService, type TestService } from "../support/harness.js";
import { createPool, uniqueName } from "../support/families/user-pools.js";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

/** A clock that moves only when told: waits are then exact. */
class FrozenClock implements Clock {
  constructor(public at = new Date()) {}
  now() {
    return this.at;
  }
  advance(seconds: number) {
    this.at = new Date(this.at.getTime() + seconds * 1000);
  }
}

/** Counts the jobs handed to the hash queue: every verification is one. */
function countingQueue(): HashQueue & { runs: number } {
  const queue = createHashQueue({ concurrency: 2 });
  const counted = { runs: 0, concurrency: queue.concurrency, stats: () => queue.stats(), run: <T>(lane: string, work: () => Promise<T>) => (counted.runs++, queue.run(lane, work)) };
  return counted;
}

const PASSWORD = "correct horse 42";
const ALL_TYPES = ["email", "phone_number", "preferred_username"];
let phoneSeq = 0;

async function poolWithUser(poolFields: Record<string, unknown> = {}, userFields: Record<string, unknown> = {}) {
  const pool = await createPool(svc, { SignInAttributes: ALL_TYPES, ...poolFields });
  const username = uniqueName("ann");
  const email = `${username}@example.com`;
  const phone = `+86139${String(process.pid % 1000).padStart(3, "0")}${String(++phoneSeq).padStart(5, "0")}`;
  const user = await svc.ok("CreateUser", { UserPoolUid: pool, PreferredUsername: username, Email: email, EmailVerified: true, PhoneNumber: phone, Password: PASSWORD, ...userFields });
  return { pool, uid: user.Uid as string, username, email, phone };
}

function signIn(deps: Pick<AppDeps, "db" | "hashQueue" | "clock">, pool: string, identifier: string, password = PASSWORD, clientAddress = "192.0.2.10", accountId = svc.accountId) {
  const attempt: PasswordAttempt = { accountId, poolUid: pool, identifier, password, clientAddress };
  return authenticatePassword(deps, attempt);
}
const deps = () => ({ ...svc.deps, hashQueue: countingQueue(), clock: new FrozenClock() });

describe("authenticatePassword", () => {
  it("signs in with each identifier type the pool allows, any case for e-mail and username", async () => {
    const u = await poolWithUser();
    for (const id of [u.email, u.email.toUpperCase(), u.phone, u.username, u.username.toUpperCase(), `  ${u.username} `]) {
      const r = await signIn(deps(), u.pool, id);
      expect(r.ok && r.user.uid).toBe(u.uid);
    }
  });

  it("accepts only the identifier types in SignInAttributes", async () => {
    const u = await poolWithUser({ SignInAttributes: ["email"] });
    expect((await signIn(deps(), u.pool, u.email)).ok).toBe(true);
    expect(await signIn(deps(), u.pool, u.username)).toEqual({ ok: false, reason: "invalid" });
    expect(await signIn(deps(), u.pool, u.phone)).toEqual({ ok: false, reason: "invalid" });
    const byPhone = await poolWithUser({ SignInAttributes: ["phone_number"] });
    expect((await signIn(deps(), byPhone.pool, byPhone.phone)).ok).toBe(true);
    expect(await signIn(deps(), byPhone.pool, byPhone.email)).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses every password while PasswordSignInEnabled is off, and in a disabled or another account's pool", async () => {
    const u = await poolWithUser();
    await svc.ok("UpdateUserPool", { UserPoolUid: u.pool, PasswordSignInEnabled: false });
    expect(await signIn(deps(), u.pool, u.email)).toEqual({ ok: false, reason: "invalid" });
    await svc.ok("UpdateUserPool", { UserPoolUid: u.pool, PasswordSignInEnabled: true });
    expect((await signIn(deps(), u.pool, u.email)).ok).toBe(true);
    expect(await signIn(deps(), u.pool, u.email, PASSWORD, "192.0.2.10", svc.otherAdmin.accountId)).toEqual({ ok: false, reason: "invalid" });
    await svc.ok("UpdateEnableUserPool", { UserPoolUid: u.pool, Enabled: false });
    expect(await signIn(deps(), u.pool, u.email)).toEqual({ ok: false, reason: "invalid" });
  });

  it("honours UnconfirmedUserSignInEnabled: a user with no verified e-mail or phone signs in only when it is on", async () => {
    const u = await poolWithUser({}, { EmailVerified: false, PhoneNumberVerified: false });
    expect(await signIn(deps(), u.pool, u.username)).toEqual({ ok: false, reason: "invalid" });
    await svc.ok("UpdateUserPool", { UserPoolUid: u.pool, UnconfirmedUserSignInEnabled: true });
    expect((await signIn(deps(), u.pool, u.username)).ok).toBe(true);
    // A verified phone is enough; a user with neither e-mail nor phone has nothing to confirm.
    const phoneOnly = await poolWithUser({}, { EmailVerified: false, PhoneNumberVerified: true });
    expect((await signIn(deps(), phoneOnly.pool, phoneOnly.username)).ok).toBe(true);
    const bare = await poolWithUser({}, { Email: undefined, EmailVerified: undefined, PhoneNumber: undefined });
    expect((await signIn(deps(), bare.pool, bare.username)).ok).toBe(true);
  });

  it("answers a DISABLED user, an unknown user and a wrong password alike, each after one verification", async () => {
    const u = await poolWithUser();
    const d = deps();
    expect(await signIn(d, u.pool, u.email, "wrong password")).toEqual({ ok: false, reason: "invalid" });
    expect(d.hashQueue.runs).toBe(1);
    expect(await signIn(d, u.pool, `nobody-${u.email}`)).toEqual({ ok: false, reason: "invalid" });
    expect(d.hashQueue.runs).toBe(2);
    await svc.ok("UpdateUser", { UserPoolUid: u.pool, UserUid: u.uid, UserState: "DISABLED" });
    expect(await signIn(d, u.pool, u.email)).toEqual({ ok: false, reason: "invalid" });
    expect(d.hashQueue.runs).toBe(3);
    await svc.ok("UpdateUser", { UserPoolUid: u.pool, UserUid: u.uid, UserState: "ACTIVE" });
    expect((await signIn(d, u.pool, u.email)).ok).toBe(true);
    expect(d.hashQueue.runs).toBe(4);
  });

  it("refuses empty and oversized input without work", async () => {
    const u = await poolWithUser();
    const d = deps();
    for (const [id, pw] of [["", PASSWORD], [u.email, ""], ["x".repeat(255), PASSWORD], [u.email, "p".repeat(257)]] as const) {
      expect(await signIn(d, u.pool, id, pw)).toEqual({ ok: false, reason: "invalid" });
    }
    expect(d.hashQueue.runs).toBe(0);
  });
});

describe("throttling", () => {
  it("is counted across two instances sharing the database, and refuses without verifying", async () => {
    const u = await poolWithUser();
    const second = await connectTestDatabase(undefined, 2);
    try {
      const clock = new FrozenClock();
      const a = { ...svc.deps, hashQueue: countingQueue(), clock };
      const b = { db: second.db, hashQueue: countingQueue(), clock };
      // Address allowance 5: failures alternate between the instances; the 6th starts a 1 s wait.
      for (let i = 0; i < THROTTLE.free.address + 1; i++) expect(await signIn(i % 2 ? b : a, u.pool, u.email, `wrong ${i}`)).toEqual({ ok: false, reason: "invalid" });
      const runs = a.hashQueue.runs + b.hashQueue.runs;
      expect(await signIn(a, u.pool, u.email)).toEqual({ ok: false, reason: "throttled", retryAfterSeconds: 1 });
      expect(await signIn(b, u.pool, u.email)).toEqual({ ok: false, reason: "throttled", retryAfterSeconds: 1 });
      expect(a.hashQueue.runs + b.hashQueue.runs).toBe(runs);
      // An unknown identifier is throttled the same way.
      expect(await signIn(b, u.pool, `nobody-${u.email}`)).toEqual({ ok: false, reason: "throttled", retryAfterSeconds: 1 });
      // Another address is not slowed: the user's own allowance (10) is not used up.
      expect((await signIn(b, u.pool, u.email, PASSWORD, "198.51.100.7")).ok).toBe(true);
      // Once the wait is over the address may try again; its next failure doubles the wait.
      clock.advance(1);
      expect(await signIn(a, u.pool, u.email, "wrong again")).toEqual({ ok: false, reason: "invalid" });
      expect(await signIn(b, u.pool, u.email)).toEqual({ ok: false, reason: "throttled", retryAfterSeconds: 2 });
    } finally {
      await second.close();
    }
  });

  it("counts a distributed guesser against the user, lets the user in once the wait is over, and clears on success", async () => {
    const u = await poolWithUser();
    const d = { ...svc.deps, hashQueue: countingQueue(), clock: new FrozenClock() };
    for (let i = 0; i < THROTTLE.free.user + 1; i++) await signIn(d, u.pool, u.username, "guess", `203.0.113.${i + 1}`);
    expect(await signIn(d, u.pool, u.username, PASSWORD, "198.51.100.8")).toEqual({ ok: false, reason: "throttled", retryAfterSeconds: 1 });
    d.clock.advance(1);
    expect((await signIn(d, u.pool, u.username, PASSWORD, "198.51.100.8")).ok).toBe(true);
    // The user's counter started over: one more failure waits nothing.
    expect(await signIn(d, u.pool, u.username, "guess", "203.0.113.200")).toEqual({ ok: false, reason: "invalid" });
    expect((await signIn(d, u.pool, u.username, PASSWORD, "198.51.100.8")).ok).toBe(true);
  });

  it("caps the wait at 15 minutes however many failures, starts over after an idle hour, counts an IPv6 /64 as one address", async () => {
    const pool = await createPool(svc);
    const clock = new FrozenClock();
    const keys = throttleKeys(svc.accountId, pool, "user:x", "2001:db8:1:2::1");
    for (let i = 0; i < 60; i++) await recordFailure(svc.deps.db, keys, clock.now());
    expect(await waitSeconds(svc.deps.db, keys, clock.now())).toBe(THROTTLE.capSeconds);
    expect(THROTTLE.capSeconds).toBe(900);
    // Another host of the same /64 is the same address.
    expect(await waitSeconds(svc.deps.db, throttleKeys(svc.accountId, pool, "user:y", "2001:db8:1:2:ffff::9"), clock.now())).toBe(THROTTLE.capSeconds);
    expect(await waitSeconds(svc.deps.db, throttleKeys(svc.accountId, pool, "user:y", "2001:db8:1:3::1"), clock.now())).toBe(0);
    clock.advance(THROTTLE.windowSeconds + 1);
    expect(await waitSeconds(svc.deps.db, keys, clock.now())).toBe(0);
    await recordFailure(svc.deps.db, keys, clock.now());
    expect(await waitSeconds(svc.deps.db, keys, clock.now())).toBe(0);
  });

  it("leaves housekeeping the counters idle for longer than the window", async () => {
    const pool = await createPool(svc);
    const now = new Date();
    const keys = throttleKeys(svc.accountId, pool, "user:z", "192.0.2.99");
    await recordFailure(svc.deps.db, keys, now);
    const rows = () => svc.deps.db.selectFrom("sign_in_throttle").select("scope").where("account_id", "=", svc.accountId).where("user_pool_uid", "=", pool).execute();
    expect(await purgeOnce(svc.deps.db, new Date(now.getTime() + 1000), signInThrottlePurges)).toEqual({ idleSignInThrottles: 0 });
    expect((await rows()).length).toBe(2);
    expect((await purgeOnce(svc.deps.db, new Date(now.getTime() + (THROTTLE.windowSeconds + 1) * 1000), signInThrottlePurges)).idleSignInThrottles).toBeGreaterThanOrEqual(2);
    expect(await rows()).toEqual([]);
  });
});

describe("recordSignIn", () => {
  it("fills the user's sign-in fields, and ListUsers filters on LatestBrowser and LatestLoginMethod find the user", async () => {
    const u = await poolWithUser();
    const other = await svc.ok("CreateUser", { UserPoolUid: u.pool, PreferredUsername: uniqueName("bob") });
    const before = await svc.ok("GetUser", { UserPoolUid: u.pool, UserUid: u.uid });
    expect(before).toMatchObject({ NumLogins: 0, LatestLogin: "", LatestBrowser: "", LatestLoginMethod: "" });
    const chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    const at = new FrozenClock(new Date("2026-12-06T10:00:00Z"));
    const d = { ...svc.deps, clock: at };
    expect(await recordSignIn(d, { accountId: svc.accountId, poolUid: u.pool, userUid: u.uid, method: "password", userAgent: chrome })).toBe(true);
    at.advance(60);
    const firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    await recordSignIn(d, { accountId: svc.accountId, poolUid: u.pool, userUid: u.uid, method: "oidc", userAgent: firefox, connection: { name: "corp", provider: "okta", type: "oidc" } });
    const after = await svc.ok("GetUser", { UserPoolUid: u.pool, UserUid: u.uid });
    expect(after).toMatchObject({
      NumLogins: 2, LatestLogin: "2026-12-06T10:01:00Z", LatestLoginMethod: "oidc", LatestBrowser: "Firefox",
      LatestLoginConnectionName: "corp", LatestLoginConnectionProvider: "okta", LatestLoginConnectionType: "oidc", UpdateTime: before.UpdateTime,
    });
    const uids = async (Filter: Record<string, unknown>) => (await svc.ok("ListUsers", { UserPoolUid: u.pool, Filter })).Data.map((x: { Uid: string }) => x.Uid);
    expect(await uids({ LatestBrowser: "firefox" })).toEqual([u.uid]);
    expect(await uids({ LatestBrowser: "Chrome" })).toEqual([]);
    expect(await uids({ LatestLoginMethod: "OIDC" })).toEqual([u.uid]);
    expect(await uids({ LatestLoginMethod: "password" })).toEqual([]);
    expect((await svc.ok("ListUsers", { UserPoolUid: u.pool, Filter: { LatestBrowser: "Firefox" } })).TotalCount).toBe(1);
    expect((await uids({ LatestBrowser: "" })).sort()).toEqual([u.uid, other.Uid].sort());
    // A user that is gone records nothing.
    expect(await recordSignIn(d, { accountId: svc.accountId, poolUid: u.pool, userUid: "nobody", method: "password" })).toBe(false);
  });
});
