// Reset email delivery: the whole flow through a real SMTP server on loopback (link from the
// received mail, reset completed, old password refused, no secret in any log line), and the
// outbox worker's queueing, restarts, retries with backoff and leases.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatOutbox } from "../../src/cli/mail.js";
import { listOutbox } from "../../src/platform/mail/outbox.js";
import { smtpTransport, type MailTransport, type OutgoingMail } from "../../src/platform/mail/smtp.js";
import { startMailWorker } from "../../src/platform/mail/worker.js";
import { verifyPassword } from "../../src/users/service.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { capturingLogger, newPool, newUser, startTestSmtp } from "../support/families/users.js";

let svc: TestService;

beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

const outbox = (s: TestService, email: string) =>
  s.deps.db
    .selectFrom("mail_outbox")
    .selectAll()
    .where("account_id", "=", s.accountId)
    .where("recipient", "=", email)
    .orderBy("id", "desc")
    .execute();

const complete = (s: TestService, pool: string, token: string, password: string) =>
  s.call("CompletePasswordReset", { UserPoolUid: pool, Token: token, NewPassword: password });

describe("the whole flow over SMTP", () => {
  it("sends the link by SMTP, the link resets the password once, and no log line holds a secret", async () => {
    const smtp = await startTestSmtp("mailer", "smtp-secret-pw");
    const worker = capturingLogger();
    const mailer = startMailWorker({
      db: svc.deps.db,
      log: worker.log,
      clock: svc.clock,
      transport: smtpTransport(smtp.url, "idplane <no-reply@example.com>"),
      maxAttempts: 3,
      pollIntervalMs: 50,
      accountId: svc.accountId,
    });
    try {
      const oldPassword = "the old password 1";
      const newPassword = "the brand new password 2";
      const pool = await newPool(svc, { ResetPasswordUrl: "https://app.example.com/reset" });
      const u = await newUser(svc, pool, { Password: oldPassword });
      await svc.ok("ResetPassword", { UserPoolUid: pool, Email: u.email });

      const mail = await smtp.waitFor(u.email);
      expect(mail.from).toBe("no-reply@example.com");
      expect(mail.raw).toMatch(/Subject: Reset your password/);
      const link = /https:\/\/app\.example\.com\/reset\?token=[A-Za-z0-9_-]+/.exec(mail.text)?.[0];
      expect(link).toBeDefined();
      const token = new URL(link!).searchParams.get("token")!;
      expect(token).toHaveLength(43);

      await svc.ok("CompletePasswordReset", { UserPoolUid: pool, Token: token, NewPassword: newPassword });
      expect(await verifyPassword(svc.deps, svc.accountId, pool, u.uid, oldPassword)).toBe(false);
      expect(await verifyPassword(svc.deps, svc.accountId, pool, u.uid, newPassword)).toBe(true);
      expect((await svc.ok("GetUser", { UserPoolUid: pool, UserUid: u.uid })).EmailVerified).toBe(true);
      expect(codeOf(await complete(svc, pool, token, "yet another password"))).toBe("InvalidParameter.Token");

      // Sent: only metadata stays in the outbox, the link (and its token) is gone.
      await expect.poll(async () => (await outbox(svc, u.email))[0]!.status).toBe("sent");
      const [row] = await outbox(svc, u.email);
      expect(row).toMatchObject({ status: "sent", attempts: 1, body_text: null, link: null });

      const lines = [...svc.logs, ...worker.lines];
      expect(lines.some((l) => l.includes('"mail sent"'))).toBe(true);
      for (const secret of [token, oldPassword, newPassword, "smtp-secret-pw"]) {
        expect(lines.filter((l) => l.includes(secret))).toEqual([]);
      }
    } finally {
      await mailer.stop();
      await smtp.close();
    }
  });
});

describe("the outbox", () => {
  class RecordingTransport implements MailTransport {
    sent: OutgoingMail[] = [];
    failWith: Error | undefined;
    async send(mail: OutgoingMail) {
      if (this.failWith) throw this.failWith;
      this.sent.push(mail);
    }
    close() {}
  }

  it("without a worker the mail stays queued and `mail list` shows its link; a later worker delivers it", async () => {
    const pool = await newPool(svc);
    const u = await newUser(svc, pool);
    await svc.ok("ResetPassword", { UserPoolUid: pool, UserUid: u.uid });
    const [row] = await outbox(svc, u.email);
    expect(row).toMatchObject({ status: "queued", attempts: 0 });
    const listed = formatOutbox(await listOutbox(svc.deps.db, { status: "queued", limit: 1000 }));
    expect(listed).toContain(`link: ${row!.link}`);
    expect(row!.link).toMatch(/^https:\/\/app\.example\.com\/reset\?token=[A-Za-z0-9_-]{43}$/);

    // "Restart": a new worker finds what was queued before it existed.
    const transport = new RecordingTransport();
    const mailer = startMailWorker({
      db: svc.deps.db,
      log: capturingLogger().log,
      clock: svc.clock,
      transport,
      maxAttempts: 3,
      manual: true,
      accountId: svc.accountId,
    });
    while ((await mailer.runOnce()) > 0);
    await mailer.stop();
    expect(transport.sent.map((m) => m.to)).toContain(u.email);
    expect((await outbox(svc, u.email))[0]).toMatchObject({ status: "sent", link: null });
  });

  // Each worker test gets a service (an account and a clock) of its own, so its worker sees only its mail.
  it("retries with exponential backoff, then marks the mail failed and wipes its body", async () => {
    const timed = await startTestService();
    const pool = await newPool(timed);
    const u = await newUser(timed, pool);
    await timed.ok("ResetPassword", { UserPoolUid: pool, UserUid: u.uid });
    const transport = new RecordingTransport();
    transport.failWith = Object.assign(new Error("Greeting never received"), { code: "ETIMEDOUT" });
    const mailer = startMailWorker({
      db: timed.deps.db,
      log: capturingLogger().log,
      clock: timed.clock,
      transport,
      maxAttempts: 3,
      manual: true,
      accountId: timed.accountId,
      backoffSeconds: 30,
    });
    try {
      const t0 = timed.clock.now().getTime();
      expect(await mailer.runOnce()).toBe(1);
      let [row] = await outbox(timed, u.email);
      expect(row).toMatchObject({ status: "queued", attempts: 1 });
      expect(row!.last_error).toMatch(/ETIMEDOUT/);
      expect(row!.next_attempt_at.getTime() - t0).toBeGreaterThanOrEqual(30_000);
      expect(await mailer.runOnce()).toBe(0); // not due yet

      timed.clock.advance(31);
      expect(await mailer.runOnce()).toBe(1);
      [row] = await outbox(timed, u.email);
      expect(row!.attempts).toBe(2);
      expect(row!.next_attempt_at.getTime() - timed.clock.now().getTime()).toBeGreaterThanOrEqual(59_000); // doubled

      timed.clock.advance(61);
      expect(await mailer.runOnce()).toBe(1);
      [row] = await outbox(timed, u.email);
      expect(row).toMatchObject({ status: "failed", attempts: 3, body_text: null, link: null });
    } finally {
      await mailer.stop();
      await timed.close();
    }
  });

  it("a refused SMTP login is retried later, and neither the log nor the outbox holds the SMTP password", async () => {
    const own = await startTestService();
    const smtp = await startTestSmtp("mailer", "the-right-pw");
    const worker = capturingLogger();
    const wrongUrl = smtp.url.replace("the-right-pw", "a-wrong-pw");
    const mailer = startMailWorker({
      db: own.deps.db,
      log: worker.log,
      clock: own.clock,
      transport: smtpTransport(wrongUrl, "no-reply@example.com"),
      maxAttempts: 3,
      manual: true,
      accountId: own.accountId,
    });
    try {
      const pool = await newPool(own);
      const u = await newUser(own, pool);
      await own.ok("ResetPassword", { UserPoolUid: pool, UserUid: u.uid });
      expect(await mailer.runOnce()).toBe(1);
      const [row] = await outbox(own, u.email);
      expect(row).toMatchObject({ status: "queued", attempts: 1 });
      expect(row!.last_error).toMatch(/EAUTH|535|auth/i);
      expect(row!.last_error).not.toContain("a-wrong-pw");
      expect(smtp.received).toEqual([]);
      expect(worker.lines.some((l) => l.includes("will retry"))).toBe(true);
      expect(worker.lines.filter((l) => l.includes("a-wrong-pw") || l.includes("the-right-pw"))).toEqual([]);
    } finally {
      await mailer.stop();
      await smtp.close();
      await own.close();
    }
  });

  it("a message claimed by a worker that died is delivered once its lease runs out", async () => {
    const timed = await startTestService();
    const pool = await newPool(timed);
    const u = await newUser(timed, pool);
    await timed.ok("ResetPassword", { UserPoolUid: pool, UserUid: u.uid });
    const dead = new RecordingTransport();
    dead.send = () => new Promise(() => {}); // claims, then hangs forever like a crashed process
    const crashed = startMailWorker({
      db: timed.deps.db,
      log: capturingLogger().log,
      clock: timed.clock,
      transport: dead,
      maxAttempts: 5,
      manual: true,
      accountId: timed.accountId,
      leaseSeconds: 120,
    });
    void crashed.runOnce();
    await expect.poll(async () => (await outbox(timed, u.email))[0]!.attempts).toBe(1);

    const transport = new RecordingTransport();
    const mailer = startMailWorker({
      db: timed.deps.db,
      log: capturingLogger().log,
      clock: timed.clock,
      transport,
      maxAttempts: 5,
      manual: true,
      accountId: timed.accountId,
    });
    expect(await mailer.runOnce()).toBe(0); // leased to the dead worker
    timed.clock.advance(121);
    expect(await mailer.runOnce()).toBe(1);
    expect(transport.sent.map((m) => m.to)).toEqual([u.email]);
    expect((await outbox(timed, u.email))[0]).toMatchObject({ status: "sent", attempts: 2 });
    await timed.close();
  });
});

describe("recipients (issue 10, finding 6)", () => {
  // Each of these was stored next to victim@corp.example and got its reset mail delivered to the victim.
  const ALIASES = ["x<victim@corp.example>", "victim@corp.example,", "foo,victim@corp.example", "victim@corp.example;"];

  it("nodemailer gets an address object: RCPT TO is exactly the stored address, and no aliasing string reaches the victim", async () => {
    const smtp = await startTestSmtp("mailer", "pw");
    const transport = smtpTransport(smtp.url, "no-reply@example.com");
    try {
      await transport.send({ to: "O'Brien+Tag@corp.example", subject: "s", text: "t" });
      expect(smtp.received.map((m) => m.to)).toEqual([["O'Brien+Tag@corp.example"]]);
      for (const to of ALIASES) await transport.send({ to, subject: "s", text: "t" }).catch(() => {}); // refused by the server is fine
      expect(smtp.received.every((m) => m.to.length === 1)).toBe(true);
      expect(smtp.received.filter((m) => m.to.includes("victim@corp.example") || /^To:.*victim@corp\.example>?\r?$/im.test(m.raw))).toEqual(
        [],
      );
    } finally {
      transport.close();
      await smtp.close();
    }
  });

  it("the worker delivers a user's mail to exactly its stored address, and gives up on mail queued to an aliasing one", async () => {
    const own = await startTestService();
    const smtp = await startTestSmtp("mailer", "pw");
    const worker = capturingLogger();
    const mailer = startMailWorker({
      db: own.deps.db,
      log: worker.log,
      clock: own.clock,
      transport: smtpTransport(smtp.url, "no-reply@example.com"),
      maxAttempts: 3,
      manual: true,
      accountId: own.accountId,
    });
    try {
      const pool = await newPool(own);
      const email = `O'Brien+Tag-${Date.now()}@corp.example`;
      await newUser(own, pool, { Email: email });
      await own.ok("ResetPassword", { UserPoolUid: pool, Email: email.toLowerCase() });
      // Queued before the rule was tightened (an upgrade): the rows the worker finds in the outbox.
      const now = own.clock.now();
      await own.deps.db
        .insertInto("mail_outbox")
        .values(
          ALIASES.map((recipient) => ({
            account_id: own.accountId,
            user_pool_uid: pool,
            kind: "password_reset",
            recipient,
            subject: "Reset your password",
            body_text: "https://app.example.com/reset?token=legacy",
            link: "https://app.example.com/reset?token=legacy",
            next_attempt_at: now,
            created_at: now,
          })),
        )
        .execute();
      while ((await mailer.runOnce()) > 0);
      expect(smtp.received.map((m) => m.to)).toEqual([[email]]);
      for (const recipient of ALIASES) {
        const [row] = await outbox(own, recipient);
        expect(row).toMatchObject({ status: "failed", attempts: 1, body_text: null, link: null });
        expect(row!.last_error).toMatch(/not a plain email address/);
      }
    } finally {
      await mailer.stop();
      await smtp.close();
      await own.close();
    }
  });
});
