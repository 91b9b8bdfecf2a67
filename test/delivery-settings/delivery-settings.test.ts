// A pool's delivery settings through the official SDK: EmailService (default on, upsert, delete) and
// SmsService (stored only, upstream's bounds, the switches' needs); gone with their pool; and a pool
// whose email is off sends no reset mail (a real SMTP server on loopback receives nothing).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverySettingsActions } from "../../src/delivery-settings/actions.js";
import { smtpTransport } from "../../src/platform/mail/smtp.js";
import { startMailWorker } from "../../src/platform/mail/worker.js";
import { EMAIL_OFF_MESSAGE } from "../../src/password-reset/actions.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { createPool } from "../support/families/user-pools.js";
import { capturingLogger, newPool, newUser, startTestSmtp } from "../support/families/users.js";

const outputOf = (name: string) => deliverySettingsActions.find((a) => a.name === name)!.output;
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

const SMS_DEFAULTS = {
  Enabled: false,
  CnUsageEnabled: false,
  RowUsageEnabled: false,
  SmsAccountId: "",
  SenderId: "",
  SignatureContent: "",
  TemplateId: "",
  LoginRowTemplateId: "",
  PasswordResetCnTemplateId: "",
  PasswordResetRowTemplateId: "",
  SignUpCnTemplateId: "",
  SignUpRowTemplateId: "",
};

describe("EmailService", () => {
  it("is on by default, upserts, keeps its value when Enabled is omitted, and deletes back to the default", async () => {
    const UserPoolUid = await createPool(svc);
    const got = await svc.ok("GetEmailService", { UserPoolUid }, { key: svc.readonly });
    outputOf("GetEmailService").parse(got);
    expect(got).toEqual({ UserPoolUid, Enabled: true });
    expect(codeOf(await svc.call("DeleteEmailService", { UserPoolUid }))).toBe("NotFound");

    expect(await svc.ok("UpsertEmailService", { UserPoolUid, Enabled: false })).toEqual({ UserPoolUid, Enabled: false });
    expect(await svc.ok("UpsertEmailService", { UserPoolUid })).toEqual({ UserPoolUid, Enabled: false });
    expect(await svc.ok("GetEmailService", { UserPoolUid })).toEqual({ UserPoolUid, Enabled: false });
    expect(codeOf(await svc.call("UpsertEmailService", { UserPoolUid, Enabled: true }, { key: svc.readonly }))).toBe("AccessDenied");
    expect(codeOf(await svc.call("DeleteEmailService", { UserPoolUid }, { key: svc.readonly }))).toBe("AccessDenied");

    expect(await svc.ok("DeleteEmailService", { UserPoolUid })).toEqual({ Message: `email service of user pool ${UserPoolUid} deleted` });
    expect(await svc.ok("GetEmailService", { UserPoolUid })).toEqual({ UserPoolUid, Enabled: true });
    // Upsert without Enabled on a pool without a setting stores the default.
    expect(await svc.ok("UpsertEmailService", { UserPoolUid })).toEqual({ UserPoolUid, Enabled: true });
  });

  it("refuses bad input with typed errors, and another account's pool is NotFound", async () => {
    const UserPoolUid = await createPool(svc);
    expect(codeOf(await svc.call("UpsertEmailService", { UserPoolUid, Enabled: "sometimes" }))).toBe("InvalidParameter.Enabled");
    expect(codeOf(await svc.call("UpsertEmailService", { UserPoolUid, Enabled: true, Smtp: "x" }))).toBe("InvalidParameter.Smtp");
    expect(codeOf(await svc.call("UpsertEmailService", { Enabled: true }))).toBe("MissingParameter.UserPoolUid");
    expect(codeOf(await svc.call("GetEmailService", { UserPoolUid: "no-such-pool" }))).toBe("NotFound");
    for (const action of ["GetEmailService", "UpsertEmailService", "GetSmsService", "UpdateSmsService"]) {
      expect(codeOf(await svc.call(action, { UserPoolUid }, { key: svc.otherAdmin }))).toBe("NotFound");
    }
    expect((await svc.ok("GetEmailService", { UserPoolUid })).Enabled).toBe(true);
  });
});

describe("SmsService", () => {
  it("has the defaults, merges updates field by field, and returns every field", async () => {
    const UserPoolUid = await createPool(svc);
    const got = await svc.ok("GetSmsService", { UserPoolUid }, { key: svc.readonly });
    outputOf("GetSmsService").parse(got);
    expect(got).toEqual({ UserPoolUid, ...SMS_DEFAULTS });

    const first = await svc.ok("UpdateSmsService", {
      UserPoolUid,
      SmsAccountId: "  acc-42 ",
      Enabled: true,
      SignatureContent: "火山引擎",
      CnUsageEnabled: true,
      PasswordResetCnTemplateId: "ST_7ae2f1e3",
    });
    outputOf("UpdateSmsService").parse(first);
    const expected = {
      UserPoolUid,
      ...SMS_DEFAULTS,
      SmsAccountId: "acc-42",
      Enabled: true,
      SignatureContent: "火山引擎",
      CnUsageEnabled: true,
      PasswordResetCnTemplateId: "ST_7ae2f1e3",
    };
    expect(first).toEqual(expected);
    const second = await svc.ok("UpdateSmsService", {
      UserPoolUid,
      SenderId: "IDPLANE",
      RowUsageEnabled: true,
      PasswordResetCnTemplateId: "",
    });
    expect(second).toEqual({ ...expected, SenderId: "IDPLANE", RowUsageEnabled: true, PasswordResetCnTemplateId: "" });
    expect(await svc.ok("GetSmsService", { UserPoolUid })).toEqual(second);
    expect(await svc.ok("UpdateSmsService", { UserPoolUid })).toEqual(second);
    expect(codeOf(await svc.call("UpdateSmsService", { UserPoolUid, Enabled: false }, { key: svc.readonly }))).toBe("AccessDenied");
  });

  it.each([
    ["an empty SenderId", { SenderId: "" }, "MissingParameter.SenderId"],
    ["an empty SmsAccountId", { SmsAccountId: "  " }, "MissingParameter.SmsAccountId"],
    ["a SignatureContent over 254", { SignatureContent: "s".repeat(255) }, "InvalidParameter.SignatureContent"],
    ["a TemplateId over 255", { TemplateId: "t".repeat(256) }, "InvalidParameter.TemplateId"],
    ["a template id with a space", { SignUpRowTemplateId: "ST 1" }, "InvalidParameter.SignUpRowTemplateId"],
    ["a control character", { SenderId: "ID\u0007" }, "InvalidParameter.SenderId"],
    ["Enabled without SmsAccountId", { Enabled: true }, "InvalidParameter.Enabled"],
    ["CnUsageEnabled without SignatureContent", { CnUsageEnabled: true }, "InvalidParameter.CnUsageEnabled"],
    ["RowUsageEnabled without SenderId", { RowUsageEnabled: true, SmsAccountId: "a" }, "InvalidParameter.RowUsageEnabled"],
    ["a non-boolean switch", { RowUsageEnabled: "yes" }, "InvalidParameter.RowUsageEnabled"],
    ["an unknown field", { Provider: "twilio" }, "InvalidParameter.Provider"],
  ])("refuses %s and stores nothing", async (_what, fields, code) => {
    const UserPoolUid = await createPool(svc);
    expect(codeOf(await svc.call("UpdateSmsService", { UserPoolUid, ...fields }))).toBe(code);
    expect(await svc.ok("GetSmsService", { UserPoolUid })).toEqual({ UserPoolUid, ...SMS_DEFAULTS });
  });

  it("goes with its pool (both settings), in the pool's transaction", async () => {
    const UserPoolUid = await createPool(svc);
    await svc.ok("UpsertEmailService", { UserPoolUid, Enabled: false });
    await svc.ok("UpdateSmsService", { UserPoolUid, SmsAccountId: "acc" });
    await svc.ok("DeleteUserPool", { UserPoolUid });
    for (const table of ["user_pool_email_services", "user_pool_sms_services"] as const) {
      const left = await svc.deps.db
        .selectFrom(table)
        .select("user_pool_uid")
        .where("account_id", "=", svc.accountId)
        .where("user_pool_uid", "=", UserPoolUid)
        .execute();
      expect(left).toEqual([]);
    }
    expect(codeOf(await svc.call("GetSmsService", { UserPoolUid }))).toBe("NotFound");
    expect(codeOf(await svc.call("UpsertEmailService", { UserPoolUid, Enabled: true }))).toBe("NotFound");
  });
});

describe("a pool whose email service is off", () => {
  const outbox = (email: string) =>
    svc.deps.db.selectFrom("mail_outbox").selectAll().where("account_id", "=", svc.accountId).where("recipient", "=", email).execute();
  const tokens = (pool: string, user: string) =>
    svc.deps.db
      .selectFrom("password_reset_tokens")
      .selectAll()
      .where("account_id", "=", svc.accountId)
      .where("user_pool_uid", "=", pool)
      .where("user_uid", "=", user)
      .execute();

  it("sends no reset mail, issues no token and says so; turning it off drops queued mail; back on, mail flows over SMTP", async () => {
    const smtp = await startTestSmtp("mailer", "pw");
    const worker = capturingLogger();
    const mailer = startMailWorker({
      db: svc.deps.db,
      log: worker.log,
      clock: svc.clock,
      transport: smtpTransport(smtp.url, "no-reply@example.com"),
      maxAttempts: 3,
      manual: true,
      accountId: svc.accountId,
    });
    try {
      const pool = await newPool(svc);
      const u = await newUser(svc, pool);
      // Queued while on, then turned off before the worker ran: dropped, token and link gone with it.
      await svc.ok("ResetPassword", { UserPoolUid: pool, UserUid: u.uid });
      await svc.ok("UpsertEmailService", { UserPoolUid: pool, Enabled: false });
      expect(await outbox(u.email)).toMatchObject([{ status: "failed", body_text: null, link: null }]);

      const off = await svc.ok("ResetPassword", { UserPoolUid: pool, Email: u.email });
      expect(off).toEqual({ Message: `${EMAIL_OFF_MESSAGE} for user ${u.uid}` });
      expect(await outbox(u.email)).toHaveLength(1);
      // The earlier token still stands (revoked only by a new reset that actually mails), none was added.
      expect(await tokens(pool, u.uid)).toHaveLength(1);
      // The checks still apply: an unknown user is NotFound even with email off.
      expect(codeOf(await svc.call("ResetPassword", { UserPoolUid: pool, Email: "nobody@example.com" }))).toBe("NotFound");
      await mailer.runOnce();
      expect(smtp.received).toEqual([]);

      await svc.ok("DeleteEmailService", { UserPoolUid: pool });
      const on = await svc.ok("ResetPassword", { UserPoolUid: pool, Email: u.email });
      expect(on.Message).toBe(`a password reset email was queued for user ${u.uid}`);
      expect(await mailer.runOnce()).toBe(1);
      expect((await smtp.waitFor(u.email)).text).toMatch(/token=/);
      expect(smtp.received).toHaveLength(1);
    } finally {
      await mailer.stop();
      await smtp.close();
    }
  });
});
