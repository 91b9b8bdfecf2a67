// The hosted pages' mails go through the outbox like reset mails: with SMTP down a code mail stays
// queued (retried, nothing lost), and once SMTP answers it is delivered whole, text and HTML.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startMailWorker } from "../../src/platform/mail/worker.js";
import { smtpTransport } from "../../src/platform/mail/smtp.js";
import { startTestService, type TestService } from "../support/harness.js";
import { formAction, inputValue } from "../support/sign-in.js";
import { startTestSmtp } from "../support/families/users.js";
import { Browser, codeOf, selfServicePool, startSignIn, uniqueEmail } from "../support/self-service.js";
import { simpleParser } from "mailparser";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc?.close());

it("keeps a code mail while SMTP is down and delivers it, text and HTML, once it is up", { timeout: 60_000 }, async () => {
  const pool = await selfServicePool(svc, { EmailPasswordlessSignInEnabled: true });
  const email = uniqueEmail();
  await svc.ok("CreateUser", { UserPoolUid: pool.poolUid, Email: email });
  const browser = new Browser();
  const start = await startSignIn(browser, pool);
  const page = await browser.request(formAction(start.page.body, start.url, "/otp"), {
    form: { csrf: inputValue(start.page.body, "csrf")!, email },
  });
  expect(page.status).toBe(200);
  const row = () =>
    svc.deps.db
      .selectFrom("mail_outbox")
      .select(["status", "attempts", "last_error", "body_html"])
      .where("account_id", "=", svc.accountId)
      .where("recipient", "=", email)
      .executeTakeFirst();
  // Queued after the answer (later.ts).
  await expect.poll(async () => (await row())?.status).toBe("queued");

  const down = startMailWorker({
    db: svc.deps.db,
    log: svc.deps.log,
    clock: svc.clock,
    transport: { send: async () => Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })), close() {} },
    maxAttempts: 5,
    backoffSeconds: 0,
    manual: true,
    accountId: svc.accountId,
  });
  await down.runOnce();
  await down.stop();
  expect(await row()).toMatchObject({ status: "queued", attempts: 1 });
  expect((await row())!.last_error).toContain("ECONNREFUSED");
  expect((await row())!.body_html).toContain("<html");

  const smtp = await startTestSmtp("mailer", "pw");
  const up = startMailWorker({
    db: svc.deps.db,
    log: svc.deps.log,
    clock: svc.clock,
    transport: smtpTransport(smtp.url, "Acme <no-reply@example.com>"),
    maxAttempts: 5,
    manual: true,
    accountId: svc.accountId,
  });
  try {
    // The retry is due at once (backoff 0): the next round delivers it.
    await expect.poll(async () => (await up.runOnce(), (await row())?.status), { timeout: 20_000 }).toBe("sent");
    const mail = await simpleParser((await smtp.waitFor(email)).raw);
    expect(codeOf({ subject: mail.subject ?? "", text: mail.text ?? "", html: "" })).toMatch(/^\d{6}$/);
    expect(String(mail.html)).toContain("Acme Shop");
  } finally {
    await up.stop();
    await smtp.close();
  }
});
