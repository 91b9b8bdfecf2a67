// Password reset end to end: every error condition of ResetPassword and
// CompletePasswordReset, hashed 256-bit tokens, expiry on a test clock, revocation, and ten
// concurrent completes with one token; the reset mail limits and the reset link's scheme (issue 10).
// The mail side is in mail.test.ts.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { verifyPassword } from "../../src/users/service.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { newPool, newUser, queuedResetToken } from "../support/families/users.js";

let svc: TestService;
/** A service of its own for tests that move the clock (less than the 900 s signing skew in all). */
let timed: TestService;
/** Low reset mail limits; `twin` is a second instance on the same database (its own connections on Postgres). */
const LIMITS = { ID_RESET_MAIL_PER_USER: "3", ID_RESET_MAIL_PER_ADDRESS: "4" };
let limited: TestService;
let twin: TestService;

beforeAll(async () => {
  const url = inject("databaseUrl");
  [svc, timed, limited, twin] = await Promise.all([
    startTestService(),
    startTestService({ env: { ID_RESET_MAIL_WINDOW_SECONDS: "120" } }),
    startTestService({ env: LIMITS }),
    startTestService({ env: LIMITS, ...(url && { databaseUrl: url }) }),
  ]);
});
afterAll(async () => {
  await Promise.all([svc.close(), timed.close(), limited.close(), twin.close()]);
});

const complete = (s: TestService, pool: string, token: string, password: string) =>
  s.call("CompletePasswordReset", { UserPoolUid: pool, Token: token, NewPassword: password });

describe("ResetPassword errors", () => {
  let pool: string;
  let user: { uid: string; email: string };
  beforeAll(async () => {
    pool = await newPool(svc);
    user = await newUser(svc, pool);
  });

  it("needs an email address or a user id", async () => {
    for (const params of [{ UserPoolUid: pool }, { UserPoolUid: pool, Email: "", UserUid: "" }]) {
      const env = await svc.call("ResetPassword", params);
      expect(codeOf(env)).toBe("MissingParameter.Email");
      expect(env.ResponseMetadata.Error!.Message).toBe("an email address or a user id is required");
    }
  });

  it("refuses a malformed email", async () => {
    for (const email of ["no-at-sign", "a@b", "two@@example.com", "spa ce@example.com"]) {
      expect(codeOf(await svc.call("ResetPassword", { UserPoolUid: pool, Email: email }))).toBe("InvalidParameter.Email");
    }
  });

  it("answers NotFound for an unknown user (by uid or by email) and an unknown pool", async () => {
    expect(codeOf(await svc.call("ResetPassword", { UserPoolUid: pool, UserUid: "00000000-0000-0000-0000-000000000000" }))).toBe(
      "NotFound",
    );
    expect(codeOf(await svc.call("ResetPassword", { UserPoolUid: pool, Email: "nobody@example.com" }))).toBe("NotFound");
    expect(codeOf(await svc.call("ResetPassword", { UserPoolUid: "no-such-pool", Email: user.email }))).toBe("NotFound");
  });

  it("refuses a UserUid and an Email that name different users, accepts them when they agree", async () => {
    const other = await newUser(svc, pool);
    const env = await svc.call("ResetPassword", { UserPoolUid: pool, UserUid: user.uid, Email: other.email });
    expect(codeOf(env)).toBe("InvalidParameter.UserUid");
    const ok = await svc.ok("ResetPassword", { UserPoolUid: pool, UserUid: user.uid, Email: user.email.toUpperCase() });
    expect(ok.Message).toContain(user.uid);
  });

  it("refuses a disabled pool, a pool without ResetPasswordUrl, a user without email, a disabled user", async () => {
    const disabled = await newPool(svc);
    const u = await newUser(svc, disabled);
    await svc.ok("UpdateEnableUserPool", { UserPoolUid: disabled, Enabled: false });
    expect(codeOf(await svc.call("ResetPassword", { UserPoolUid: disabled, Email: u.email }))).toBe("InvalidRequest");

    const noUrl = await newPool(svc, { ResetPasswordUrl: undefined });
    const v = await newUser(svc, noUrl);
    const env = await svc.call("ResetPassword", { UserPoolUid: noUrl, UserUid: v.uid });
    expect(codeOf(env)).toBe("InvalidRequest");
    expect(env.ResponseMetadata.Error!.Message).toMatch(/no ResetPasswordUrl/);

    const noEmail = await svc.ok("CreateUser", { UserPoolUid: pool, PreferredUsername: `no-email-${Date.now()}` });
    expect(codeOf(await svc.call("ResetPassword", { UserPoolUid: pool, UserUid: noEmail.Uid }))).toBe("InvalidRequest");

    const off = await newUser(svc, pool, { UserState: "DISABLED" });
    expect(codeOf(await svc.call("ResetPassword", { UserPoolUid: pool, Email: off.email }))).toBe("InvalidRequest");
  });

  it("changes nothing about the user until the token is used", async () => {
    const u = await newUser(svc, pool, { Password: "the original password" });
    const before = await svc.ok("GetUser", { UserPoolUid: pool, UserUid: u.uid });
    const result = await svc.ok("ResetPassword", { UserPoolUid: pool, Email: u.email });
    const token = await queuedResetToken(svc, u.email);
    expect(JSON.stringify(result)).not.toContain(token);
    expect(await svc.ok("GetUser", { UserPoolUid: pool, UserUid: u.uid })).toEqual(before);
    expect(await verifyPassword(svc.deps, svc.accountId, pool, u.uid, "the original password")).toBe(true);
  });
});

describe("CompletePasswordReset", () => {
  it("gives one error for unknown, used and expired tokens, and checks its parameters", async () => {
    const pool = await newPool(svc);
    const unknown = await complete(svc, pool, "A".repeat(43), "a good new password");
    expect(codeOf(unknown)).toBe("InvalidParameter.Token");
    expect(codeOf(await svc.call("CompletePasswordReset", { UserPoolUid: pool, NewPassword: "a good new password" }))).toBe(
      "MissingParameter.Token",
    );
    expect(codeOf(await svc.call("CompletePasswordReset", { UserPoolUid: pool, Token: "x" }))).toBe("MissingParameter.NewPassword");
    expect(codeOf(await complete(svc, "no-such-pool", "x", "a good new password"))).toBe("NotFound");

    const u = await newUser(svc, pool);
    await svc.ok("ResetPassword", { UserPoolUid: pool, UserUid: u.uid });
    const token = await queuedResetToken(svc, u.email);
    await svc.ok("CompletePasswordReset", { UserPoolUid: pool, Token: token, NewPassword: "first new password" });
    const used = await complete(svc, pool, token, "second new password");
    expect(codeOf(used)).toBe("InvalidParameter.Token");
    expect(used.ResponseMetadata.Error!.Message).toBe(unknown.ResponseMetadata.Error!.Message);
  });

  it("refuses a weak NewPassword without spending the token", async () => {
    const pool = await newPool(svc, { PasswordPolicy: { MinLength: 12, RequireDigits: true } });
    const u = await newUser(svc, pool);
    await svc.ok("ResetPassword", { UserPoolUid: pool, Email: u.email });
    const token = await queuedResetToken(svc, u.email);
    const weak = await complete(svc, pool, token, "no digits at all");
    expect(codeOf(weak)).toBe("InvalidParameter.NewPassword");
    expect(weak.ResponseMetadata.Error!.Message).toMatch(/RequireDigits/);
    await svc.ok("CompletePasswordReset", { UserPoolUid: pool, Token: token, NewPassword: "now with digits 42" });
    expect(await verifyPassword(svc.deps, svc.accountId, pool, u.uid, "now with digits 42")).toBe(true);
  });

  it("stores only the SHA-256 of a 256-bit token", async () => {
    const pool = await newPool(svc);
    const u = await newUser(svc, pool);
    await svc.ok("ResetPassword", { UserPoolUid: pool, UserUid: u.uid });
    const token = await queuedResetToken(svc, u.email);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    const rows = await svc.deps.db
      .selectFrom("password_reset_tokens")
      .selectAll()
      .where("account_id", "=", svc.accountId)
      .where("user_uid", "=", u.uid)
      .execute();
    expect(rows).toHaveLength(1);
    expect(Buffer.from(rows[0]!.token_hash).equals(createHash("sha256").update(token).digest())).toBe(true);
  });

  it("a new request revokes the earlier token; one outstanding token per user", async () => {
    const pool = await newPool(svc);
    const u = await newUser(svc, pool);
    await svc.ok("ResetPassword", { UserPoolUid: pool, UserUid: u.uid });
    const first = await queuedResetToken(svc, u.email);
    await svc.ok("ResetPassword", { UserPoolUid: pool, Email: u.email });
    const second = await queuedResetToken(svc, u.email);
    expect(second).not.toBe(first);
    const outstanding = await svc.deps.db
      .selectFrom("password_reset_tokens")
      .select("token_hash")
      .where("account_id", "=", svc.accountId)
      .where("user_uid", "=", u.uid)
      .where("used_at", "is", null)
      .where("revoked_at", "is", null)
      .execute();
    expect(outstanding).toHaveLength(1);
    expect(codeOf(await complete(svc, pool, first, "a good new password"))).toBe("InvalidParameter.Token");
    expect(codeOf(await complete(svc, pool, second, "a good new password"))).toBe("OK");
  });

  it("an admin password change, a new email, or disabling the user revokes the outstanding token", async () => {
    const pool = await newPool(svc);
    const u = await newUser(svc, pool);
    await svc.ok("ResetPassword", { UserPoolUid: pool, UserUid: u.uid });
    const token = await queuedResetToken(svc, u.email);
    await svc.ok("UpdateUser", { UserPoolUid: pool, UserUid: u.uid, Password: "set by an admin" });
    expect(codeOf(await complete(svc, pool, token, "a good new password"))).toBe("InvalidParameter.Token");
    await svc.ok("ResetPassword", { UserPoolUid: pool, UserUid: u.uid });
    const again = await queuedResetToken(svc, u.email);
    await svc.ok("UpdateUser", { UserPoolUid: pool, UserUid: u.uid, Email: `moved-${u.email}` });
    expect(codeOf(await complete(svc, pool, again, "a good new password"))).toBe("InvalidParameter.Token");
    await svc.ok("ResetPassword", { UserPoolUid: pool, UserUid: u.uid });
    const third = await queuedResetToken(svc, `moved-${u.email}`);
    await svc.ok("UpdateUser", { UserPoolUid: pool, UserUid: u.uid, UserState: "DISABLED" });
    expect(codeOf(await complete(svc, pool, third, "a good new password"))).toBe("InvalidParameter.Token");
  });

  it("ten concurrent completes with one token: exactly one succeeds", async () => {
    const pool = await newPool(svc);
    const u = await newUser(svc, pool);
    await svc.ok("ResetPassword", { UserPoolUid: pool, UserUid: u.uid });
    const token = await queuedResetToken(svc, u.email);
    const passwords = Array.from({ length: 10 }, (_, i) => `concurrent password ${i}`);
    const results = await Promise.all(passwords.map((p) => complete(svc, pool, token, p)));
    const codes = results.map(codeOf);
    expect(codes.filter((c) => c === "OK")).toHaveLength(1);
    expect(codes.filter((c) => c === "InvalidParameter.Token")).toHaveLength(9);
    const winner = passwords[codes.indexOf("OK")]!;
    expect(await verifyPassword(svc.deps, svc.accountId, pool, u.uid, winner)).toBe(true);
  }, 60_000);

  it("expires after the pool's ResetTokenTtlSeconds (test clock)", async () => {
    const pool = await newPool(timed, { ResetTokenTtlSeconds: 60 });
    const u = await newUser(timed, pool);
    await timed.ok("ResetPassword", { UserPoolUid: pool, UserUid: u.uid });
    const stale = await queuedResetToken(timed, u.email);
    timed.clock.advance(61);
    expect(codeOf(await complete(timed, pool, stale, "a good new password"))).toBe("InvalidParameter.Token");
    await timed.ok("ResetPassword", { UserPoolUid: pool, UserUid: u.uid });
    const fresh = await queuedResetToken(timed, u.email);
    // Well inside the 60 s: on a busy machine the calls around the jump take seconds of real time.
    timed.clock.advance(40);
    expect(codeOf(await complete(timed, pool, fresh, "a good new password"))).toBe("OK");
  });
});

/** Reset mails queued to `email` and tokens issued to `userUid` in the service's account. */
async function sentTo(s: TestService, email: string, userUid: string) {
  const db = s.deps.db;
  const mails = await db
    .selectFrom("mail_outbox")
    .select("id")
    .where("account_id", "=", s.accountId)
    .where("recipient", "=", email)
    .execute();
  const tokens = await db
    .selectFrom("password_reset_tokens")
    .select("token_hash")
    .where("account_id", "=", s.accountId)
    .where("user_uid", "=", userUid)
    .execute();
  return { mails: mails.length, tokens: tokens.length };
}

describe("reset mail limits (issue 10, finding 5)", () => {
  it("by default 5 mails per user per hour; the 6th is Throttling and leaves no token and no mail, the last link still works", async () => {
    const pool = await newPool(svc);
    const u = await newUser(svc, pool);
    for (let i = 0; i < 5; i++) await svc.ok("ResetPassword", { UserPoolUid: pool, UserUid: u.uid });
    const last = await queuedResetToken(svc, u.email);
    const refused = await svc.call("ResetPassword", { UserPoolUid: pool, Email: u.email });
    expect(codeOf(refused)).toBe("Throttling");
    expect(refused.ResponseMetadata.Error!.Message).not.toContain(u.email);
    expect(await sentTo(svc, u.email, u.uid)).toEqual({ mails: 5, tokens: 5 });
    expect(codeOf(await complete(svc, pool, last, "a good new password"))).toBe("OK");
  });

  it("is exact across two instances sharing the database: 20 parallel resets, 10 on each, queue exactly 3 mails", async () => {
    const pool = await newPool(limited);
    const u = await newUser(limited, pool);
    const envs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? twin : limited).call("ResetPassword", { UserPoolUid: pool, UserUid: u.uid }, { key: limited.admin }),
      ),
    );
    const codes = envs.map(codeOf);
    expect(codes.filter((c) => c === "OK")).toHaveLength(3);
    expect(codes.filter((c) => c === "Throttling")).toHaveLength(17);
    expect(await sentTo(limited, u.email, u.uid)).toEqual({ mails: 3, tokens: 3 });
  }, 60_000);

  it("counts an address across the account's pools, survives deleting the user, and leaves other accounts alone", async () => {
    const [a, b, c] = [await newPool(limited), await newPool(limited), await newPool(limited)];
    const email = `shared-${Date.now()}@example.com`;
    const ua = await newUser(limited, a, { Email: email });
    for (let i = 0; i < 3; i++) await limited.ok("ResetPassword", { UserPoolUid: a, UserUid: ua.uid });
    expect(codeOf(await limited.call("ResetPassword", { UserPoolUid: a, UserUid: ua.uid }))).toBe("Throttling"); // per user (3)
    const ub = await newUser(limited, b, { Email: email.toUpperCase() });
    await limited.ok("ResetPassword", { UserPoolUid: b, UserUid: ub.uid });
    expect(codeOf(await limited.call("ResetPassword", { UserPoolUid: b, UserUid: ub.uid }))).toBe("Throttling"); // per address (4)
    await limited.ok("DeleteUsers", { UserPoolUid: b, UserUids: [ub.uid] });
    const uc = await newUser(limited, c, { Email: email });
    expect(codeOf(await limited.call("ResetPassword", { UserPoolUid: c, Email: email }))).toBe("Throttling");
    // Existence is told as before: an address with no user in the pool is NotFound, throttled or not.
    expect(codeOf(await limited.call("ResetPassword", { UserPoolUid: b, Email: email }))).toBe("NotFound");
    expect(uc.uid).not.toBe(ub.uid);
    // Another account is another count.
    const other = { key: limited.otherAdmin };
    const pool = (
      await limited.ok("CreateUserPool", { Name: `other-${Date.now()}`, ResetPasswordUrl: "https://app.example.com/reset" }, other)
    ).Uid;
    await limited.ok("CreateUser", { UserPoolUid: pool, Email: email }, other);
    await limited.ok("ResetPassword", { UserPoolUid: pool, Email: email }, other);
  });

  it("the window slides: a window after the first mails, a reset goes through again (test clock, 120 s window)", async () => {
    const pool = await newPool(timed);
    const u = await newUser(timed, pool);
    for (let i = 0; i < 5; i++) await timed.ok("ResetPassword", { UserPoolUid: pool, UserUid: u.uid });
    // Margins of a minute each side: on a busy machine the five resets alone can take seconds.
    timed.clock.advance(60);
    expect(codeOf(await timed.call("ResetPassword", { UserPoolUid: pool, UserUid: u.uid }))).toBe("Throttling");
    timed.clock.advance(61);
    await timed.ok("ResetPassword", { UserPoolUid: pool, UserUid: u.uid });
  });
});

describe("the reset link's scheme (issue 10, finding 9)", () => {
  it("sends links to http only on a loopback host; a plain-http URL stored before the rule gets InvalidRequest, no token, no mail", async () => {
    const local = await newPool(svc, { ResetPasswordUrl: "http://localhost:3000/reset" });
    const l = await newUser(svc, local);
    await svc.ok("ResetPassword", { UserPoolUid: local, UserUid: l.uid });
    expect(await queuedResetToken(svc, l.email)).toHaveLength(43);

    const legacy = await newPool(svc);
    await svc.deps.db
      .updateTable("user_pools")
      .set({ reset_password_url: "http://evil.example.com/reset" })
      .where("account_id", "=", svc.accountId)
      .where("uid", "=", legacy)
      .execute();
    const u = await newUser(svc, legacy);
    const env = await svc.call("ResetPassword", { UserPoolUid: legacy, UserUid: u.uid });
    expect(codeOf(env)).toBe("InvalidRequest");
    expect(env.ResponseMetadata.Error!.Message).toMatch(/ResetPasswordUrl is not https/);
    expect(await sentTo(svc, u.email, u.uid)).toEqual({ mails: 0, tokens: 0 });
  });
});
