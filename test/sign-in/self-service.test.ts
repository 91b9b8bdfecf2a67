// Self-service on the hosted pages over plain HTTP (a browser without JavaScript): sign-up with
// email verification, sign-up refused when switched off, forgotten password from the sign-in page to
// a new password and a sign-in with it, email one-time-code sign-in; the mails read from a real SMTP
// server on loopback; and no flow answers differently for a registered and an unknown address.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as oidc from "openid-client";
import { startTestService, type TestService } from "../support/harness.js";
import { formAction, inputValue, PASSWORD, rpConfig, signIn, signInFixture } from "../support/sign-in.js";
import { queuedResetToken } from "../support/families/users.js";
import {
  Browser,
  codeOf,
  linkHref,
  mailTo,
  mailsTo,
  selfServicePool,
  shapeOf,
  startMailbox,
  startSignIn,
  STRONG,
  uniqueEmail,
  type Mailbox,
} from "../support/self-service.js";

let svc: TestService;
let box: Mailbox;
beforeAll(async () => {
  svc = await startTestService();
  box = await startMailbox(svc);
}, 60_000);
afterAll(async () => {
  await box?.close();
  await svc?.close();
});

const form = (body: string) => ({ csrf: inputValue(body, "csrf")! });
const codeForm = (body: string, code: string) => ({
  csrf: inputValue(body, "csrf")!,
  code_id: inputValue(body, "code_id")!,
  address: inputValue(body, "address") ?? "",
  code,
});

describe("sign-up", () => {
  it("signs a person up, verifies the address by a mailed code and signs them in", { timeout: 60_000 }, async () => {
    const pool = await selfServicePool(svc, {
      SelfSignUpEnabled: true,
      SignUpAutoVerificationEnabled: true,
      RequiredSignUpAttributes: ["email", "name"],
      PasswordPolicy: { MinLength: 12, RequireDigits: true },
    });
    const email = uniqueEmail();
    const browser = new Browser();
    const start = await startSignIn(browser, pool);
    const signUpUrl = linkHref(start.page.body, start.url, "Create an account");
    const page = await browser.request(signUpUrl);
    expect(page.status).toBe(200);
    // The policy is shown beside the password field.
    expect(page.body).toContain("at least 12 characters");
    expect(page.body).toContain("a digit");
    expect(page.body).toMatch(/name="name"[^>]*required/);

    const action = formAction(page.body, signUpUrl, "/signup");
    const weak = await browser.request(action, { form: { ...form(page.body), email, name: "Ada Lovelace", password: "no digits here!" } });
    expect(weak.status).toBe(400);
    expect(weak.body).toContain("RequireDigits");
    expect(mailsTo(box, email)).toBe(0);

    const sent = await browser.request(action, { form: { ...form(weak.body), email, name: "Ada Lovelace", password: STRONG } });
    expect(sent.status).toBe(200);
    expect(sent.body).toContain('name="code"');
    const mail = await mailTo(box, email);
    expect(mail.subject).toBe("Your Acme Shop verification code");
    const code = codeOf(mail)!;
    expect(code).toMatch(/^\d{6}$/);
    expect(mail.html).toContain(code);
    expect(mail.html).toContain("Acme Shop");

    // Until the code is typed the address is unverified.
    const listed = await svc.ok("ListUsers", { UserPoolUid: pool.poolUid });
    expect(listed.Data).toHaveLength(1);
    expect(listed.Data[0]).toMatchObject({ Email: email, EmailVerified: false, Name: "Ada Lovelace" });

    const wrong = await browser.request(formAction(sent.body, signUpUrl, "/verify?purpose=sign_up"), {
      form: codeForm(sent.body, code === "000000" ? "000001" : "000000"),
    });
    expect(wrong.status).toBe(401);
    const done = await browser.follow(formAction(wrong.body, signUpUrl, "/verify?purpose=sign_up"), { form: codeForm(wrong.body, code) });
    expect(done.location).toMatch(/^https:\/\/app\.example\.com\/cb\?code=/);
    const tokens = await oidc.authorizationCodeGrant(pool.config, new URL(done.location!), {
      pkceCodeVerifier: start.verifier,
      expectedState: start.state,
    });
    const user = await svc.ok("GetUser", { UserPoolUid: pool.poolUid, UserUid: tokens.claims()!.sub });
    expect(user).toMatchObject({ Email: email, EmailVerified: true, NumLogins: 1, LatestLoginMethod: "email_code" });

    // The code is spent: a second use (in the same interaction, which is over anyway) fails.
    const again = await browser.request(formAction(wrong.body, signUpUrl, "/verify?purpose=sign_up"), { form: codeForm(wrong.body, code) });
    expect(again.status).toBe(400);

    for (const secret of [code, STRONG]) expect(svc.logs.filter((l) => l.includes(secret))).toEqual([]);
    // And the password chosen at sign-up works on the sign-in form.
    const later = await signIn(new Browser(), pool.config, { ...pool, email, userUid: user.Uid }, {}, STRONG);
    expect(later.callback).toMatch(/^https:\/\/app\.example\.com\/cb\?code=/);
  });

  it("answers a registered address exactly as a new one, and mails its owner instead", { timeout: 60_000 }, async () => {
    const pool = await selfServicePool(svc, { SelfSignUpEnabled: true, SignUpAutoVerificationEnabled: true });
    const taken = uniqueEmail("owner");
    const fresh = uniqueEmail("fresh");
    await svc.ok("CreateUser", { UserPoolUid: pool.poolUid, Email: taken, EmailVerified: true, Password: STRONG });
    const attempt = async (email: string) => {
      const browser = new Browser();
      const start = await startSignIn(browser, pool);
      const url = linkHref(start.page.body, start.url, "Create an account");
      const page = await browser.request(url);
      return browser.request(formAction(page.body, url, "/signup"), { form: { ...form(page.body), email, password: STRONG } });
    };
    const a = await attempt(taken);
    const b = await attempt(fresh);
    expect(a.status).toBe(b.status);
    expect(shapeOf(a.body, taken)).toBe(shapeOf(b.body, fresh));
    const notice = await mailTo(box, taken);
    expect(notice.subject).toBe("Someone tried to create a Acme Shop account with your address");
    expect(codeOf(notice)).toBeUndefined();
    expect(codeOf(await mailTo(box, fresh))).toMatch(/^\d{6}$/);
    // No second account with the taken address.
    expect((await svc.ok("ListUsers", { UserPoolUid: pool.poolUid })).TotalCount).toBe(2);
  });

  it("without auto verification, makes the account and sends the person on to sign in", async () => {
    const pool = await selfServicePool(svc, { SelfSignUpEnabled: true, UnconfirmedUserSignInEnabled: true });
    const email = uniqueEmail();
    const browser = new Browser();
    const start = await startSignIn(browser, pool);
    const url = linkHref(start.page.body, start.url, "Create an account");
    const page = await browser.request(url);
    const made = await browser.request(formAction(page.body, url, "/signup"), { form: { ...form(page.body), email, password: STRONG } });
    expect(made.status).toBe(200);
    expect(made.body).toContain("Your account is ready");
    const back = await browser.request(linkHref(made.body, url, "Continue to sign in"));
    const done = await browser.follow(formAction(back.body, url, "/login"), {
      form: { csrf: inputValue(back.body, "csrf")!, identifier: email, password: STRONG },
    });
    expect(done.location).toMatch(/^https:\/\/app\.example\.com\/cb\?code=/);
  });

  it("asks for the custom attributes RequiredSignUpAttributes names, checked as CreateUser checks them", async () => {
    const pool = await selfServicePool(svc, { SelfSignUpEnabled: true, RequiredSignUpAttributes: ["email", "custom:company"] });
    const attribute = { UserPoolUid: pool.poolUid, DataType: "String", Mutability: "Mutable" };
    await svc.ok("CreateUserPoolCustomAttribute", { ...attribute, Name: "company", Maximum: 10 });
    // An attribute sign-up does not name is never offered to the person signing up.
    await svc.ok("CreateUserPoolCustomAttribute", { ...attribute, Name: "role" });
    const email = uniqueEmail();
    const browser = new Browser();
    const start = await startSignIn(browser, pool);
    const url = linkHref(start.page.body, start.url, "Create an account");
    const page = await browser.request(url);
    expect(page.body).toContain('name="custom_company"');
    expect(page.body).not.toContain("role");
    const action = formAction(page.body, url, "/signup");
    const long = await browser.request(action, {
      form: { ...form(page.body), email, password: STRONG, custom_company: "Acme Holdings Ltd" },
    });
    expect(long.status).toBe(400);
    expect(long.body).toContain("company");
    const made = await browser.request(action, {
      form: { ...form(long.body), email, password: STRONG, custom_company: "Acme", custom_role: "admin" },
    });
    expect(made.status).toBe(200);
    const [user] = (await svc.ok("ListUsers", { UserPoolUid: pool.poolUid })).Data;
    expect(user.CustomAttributes).toEqual([{ Name: "company", Value: "Acme" }]);
  });

  it("is refused when SelfSignUpEnabled is off: no link, and the page and its form answer 403", async () => {
    const pool = await selfServicePool(svc, {});
    const browser = new Browser();
    const start = await startSignIn(browser, pool);
    expect(start.page.body).not.toContain("Create an account");
    const url = new URL(`${formAction(start.page.body, start.url, "/login").replace(/\/login$/, "")}/signup`).href;
    const page = await browser.request(url);
    expect(page.status).toBe(403);
    expect(page.body).toContain("Creating an account is turned off");
    const posted = await browser.request(url, {
      form: { csrf: inputValue(start.page.body, "csrf")!, email: uniqueEmail(), password: STRONG },
    });
    expect(posted.status).toBe(403);
    // A body bigger than a form is refused unread, as on the sign-in form.
    const big = await browser.request(url, { form: { csrf: inputValue(start.page.body, "csrf")!, email: "x".repeat(20_000) } });
    expect(big.status).toBe(413);
    expect((await svc.ok("ListUsers", { UserPoolUid: pool.poolUid })).TotalCount).toBe(0);
  });
});

describe("forgotten password", () => {
  it("goes from the sign-in page to a new password, ends the old sessions, and signs in with the new one", {
    timeout: 90_000,
  }, async () => {
    const pool = await selfServicePool(svc, { SelfAccountRecoveryEnabled: true });
    const email = uniqueEmail();
    const old = "Old-Passw0rd-Here";
    const user = await svc.ok("CreateUser", { UserPoolUid: pool.poolUid, Email: email, EmailVerified: true, Password: old });
    // A session with the old password, somewhere else.
    const elsewhere = new Browser();
    const f = { ...pool, email, userUid: user.Uid };
    expect((await signIn(elsewhere, pool.config, f, {}, old)).callback).toMatch(/\?code=/);
    const sessions = () =>
      svc.deps.db
        .selectFrom("sign_in_artifacts")
        .select("kind")
        .where("account_id", "=", svc.accountId)
        .where("pool_uid", "=", pool.poolUid)
        .where("kind", "=", "Session")
        .execute();
    expect((await sessions()).length).toBe(1);

    const browser = new Browser();
    const start = await startSignIn(browser, pool);
    const forgotUrl = linkHref(start.page.body, start.url, "Forgot your password?");
    const page = await browser.request(forgotUrl);
    expect(page.status).toBe(200);
    const sent = await browser.request(formAction(page.body, forgotUrl, "/forgot"), { form: { ...form(page.body), email } });
    expect(sent.status).toBe(200);
    expect(sent.body).toContain("a link to choose a new password is on its way");

    const mail = await mailTo(box, email);
    expect(mail.subject).toBe("Reset your Acme Shop password");
    const link = new RegExp(`${pool.issuer.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/reset-password\\?token=[A-Za-z0-9_-]+`).exec(
      mail.text,
    )?.[0];
    expect(link).toBeDefined();
    expect(mail.html).toContain(link!.replace(/&/g, "&amp;"));

    // Opened in another browser (the mail app's): the hosted page completes the reset.
    const mailBrowser = new Browser();
    const reset = await mailBrowser.request(link!);
    expect(reset.status).toBe(200);
    expect(reset.body).toContain('autocomplete="new-password"');
    const resetAction = formAction(reset.body, link!, "/reset-password");
    const weak = await mailBrowser.request(resetAction, {
      form: { csrf: inputValue(reset.body, "csrf")!, token: inputValue(reset.body, "token")!, password: "short" },
    });
    expect(weak.status).toBe(400);
    const forged = await mailBrowser.request(resetAction, {
      form: { csrf: "forged", token: inputValue(reset.body, "token")!, password: STRONG },
    });
    expect(forged.status).toBe(400);
    const done = await mailBrowser.request(resetAction, {
      form: { csrf: inputValue(weak.body, "csrf")!, token: inputValue(weak.body, "token")!, password: STRONG },
    });
    expect(done.status).toBe(200);
    expect(done.body).toContain("Your password was changed");
    // The link works once.
    expect((await mailBrowser.request(link!)).status).toBe(400);

    // The old session is gone: the other browser is asked to sign in again, and the old password fails.
    expect((await sessions()).length).toBe(0);
    const asked = await signIn(elsewhere, pool.config, f, {}, old);
    expect(asked.callback).toBeUndefined();
    expect(asked.page.status).toBe(401);
    // The new password signs in (in the browser that asked for the reset, on its own request).
    const fresh = await browser.follow(formAction(start.page.body, start.url, "/login"), {
      form: { csrf: inputValue(start.page.body, "csrf")!, identifier: email, password: STRONG },
    });
    expect(fresh.location).toMatch(/^https:\/\/app\.example\.com\/cb\?code=/);
  });

  it("ends sessions, refresh tokens and access tokens when CompletePasswordReset is called through the API too", {
    timeout: 60_000,
  }, async () => {
    const f = await signInFixture(svc, { pool: { ResetPasswordUrl: "https://app.example.com/reset" } });
    const config = await rpConfig(f, f.clientSecret);
    const { callback, verifier, state, nonce } = await signIn(new Browser(), config, f, {
      scope: "openid email offline_access",
      prompt: "consent",
    });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback!), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect(tokens.refresh_token).toBeTruthy();
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(true);

    await svc.ok("ResetPassword", { UserPoolUid: f.poolUid, UserUid: f.userUid });
    const token = await queuedResetToken(svc, f.email);
    await svc.ok("CompletePasswordReset", { UserPoolUid: f.poolUid, Token: token, NewPassword: `${PASSWORD}-2` });

    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    // Nothing of what the person or the reset typed or received is in a log line.
    for (const secret of [token, `${PASSWORD}-2`, tokens.refresh_token!, tokens.access_token])
      expect(svc.logs.filter((l) => l.includes(secret))).toEqual([]);
  });

  it("answers the hosted reset page of a disabled pool with a page, and a bad token with the same page as a spent one", async () => {
    const pool = await selfServicePool(svc, { SelfAccountRecoveryEnabled: true });
    const browser = new Browser();
    const bad = await browser.request(`${pool.issuer}/reset-password?token=${"x".repeat(43)}`);
    expect(bad.status).toBe(400);
    expect(bad.body).toContain("This link is not valid any more");
    expect((await browser.request(`${pool.issuer}/reset-password`)).status).toBe(400);
    await svc.ok("UpdateEnableUserPool", { UserPoolUid: pool.poolUid, Enabled: false });
    const off = await browser.request(`${pool.issuer}/reset-password?token=abc`);
    expect(off.status).toBe(403);
    expect(off.headers.get("content-type")).toContain("text/html");
  });

  it("answers an unknown address as a registered one, and sends nothing", async () => {
    const pool = await selfServicePool(svc, { SelfAccountRecoveryEnabled: true });
    const known = uniqueEmail("known");
    const unknown = uniqueEmail("unknown");
    await svc.ok("CreateUser", { UserPoolUid: pool.poolUid, Email: known, Password: STRONG });
    const ask = async (email: string) => {
      const browser = new Browser();
      const start = await startSignIn(browser, pool);
      const url = linkHref(start.page.body, start.url, "Forgot your password?");
      const page = await browser.request(url);
      return browser.request(formAction(page.body, url, "/forgot"), { form: { ...form(page.body), email } });
    };
    const a = await ask(known);
    const b = await ask(unknown);
    expect(a.status).toBe(b.status);
    expect(shapeOf(a.body, known)).toBe(shapeOf(b.body, unknown));
    await mailTo(box, known);
    expect(mailsTo(box, unknown)).toBe(0);
  });

  it("is not offered when SelfAccountRecoveryEnabled is off", async () => {
    const pool = await selfServicePool(svc, {});
    const browser = new Browser();
    const start = await startSignIn(browser, pool);
    expect(start.page.body).not.toContain("Forgot your password?");
    const url = `${formAction(start.page.body, start.url, "/login").replace(/\/login$/, "")}/forgot`;
    expect((await browser.request(url)).status).toBe(403);
  });
});

describe("email one-time-code sign-in", () => {
  it("offers the methods in AuthenticationMethodOrder and signs in with a mailed code", { timeout: 60_000 }, async () => {
    const pool = await selfServicePool(svc, {
      EmailPasswordlessSignInEnabled: true,
      SmsPasswordlessSignInEnabled: true,
      AuthenticationMethodOrder: ["EMAIL_PASSWORDLESS", "PASSWORD"],
    });
    const email = uniqueEmail();
    const user = await svc.ok("CreateUser", { UserPoolUid: pool.poolUid, Email: email });
    const browser = new Browser("zh-CN");
    const start = await startSignIn(browser, pool);
    const body = start.page.body;
    // The email-code form comes first, the password form after it; no SMS method anywhere.
    expect(body.indexOf("/otp")).toBeGreaterThan(0);
    expect(body.indexOf("/otp")).toBeLessThan(body.indexOf("/login"));
    // In what the page says and where its forms go, not in its random tokens (a CSRF token or an
    // interaction id can hold "sms" by chance).
    const text = body.replace(/<[^>]*>/g, " ");
    expect(text).not.toMatch(/sms|短信/i);
    expect(body).not.toMatch(/\/sms\b/);

    const sent = await browser.request(formAction(body, start.url, "/otp"), { form: { ...form(body), email } });
    expect(sent.status).toBe(200);
    expect(sent.body).toContain("输入验证码");
    const mail = await mailTo(box, email);
    expect(mail.subject).toBe("你的 Acme Shop 登录验证码");
    const code = codeOf(mail)!;
    expect(mail.html).toContain('lang="zh-CN"');
    // Once sent, the outbox keeps no code: text and HTML are wiped.
    const outbox = () =>
      svc.deps.db
        .selectFrom("mail_outbox")
        .select(["status", "body_text", "body_html"])
        .where("account_id", "=", svc.accountId)
        .where("recipient", "=", email)
        .executeTakeFirstOrThrow();
    await expect.poll(async () => (await outbox()).status).toBe("sent");
    expect(await outbox()).toMatchObject({ body_text: null, body_html: null });
    const done = await browser.follow(formAction(sent.body, start.url, "/verify?purpose=sign_in"), { form: codeForm(sent.body, code) });
    expect(done.location).toMatch(/^https:\/\/app\.example\.com\/cb\?code=/);
    const tokens = await oidc.authorizationCodeGrant(pool.config, new URL(done.location!), {
      pkceCodeVerifier: start.verifier,
      expectedState: start.state,
    });
    expect(tokens.claims()!.sub).toBe(user.Uid);
    expect(await svc.ok("GetUser", { UserPoolUid: pool.poolUid, UserUid: user.Uid })).toMatchObject({
      LatestLoginMethod: "email_code",
      EmailVerified: true,
    });
  });

  it("answers an unknown address as a registered one, mails nothing, and takes no code for it", async () => {
    const pool = await selfServicePool(svc, { EmailPasswordlessSignInEnabled: true });
    const known = uniqueEmail("known");
    const unknown = uniqueEmail("unknown");
    await svc.ok("CreateUser", { UserPoolUid: pool.poolUid, Email: known });
    const ask = async (email: string) => {
      const browser = new Browser();
      const start = await startSignIn(browser, pool);
      return {
        browser,
        start,
        page: await browser.request(formAction(start.page.body, start.url, "/otp"), { form: { ...form(start.page.body), email } }),
      };
    };
    const a = await ask(known);
    const b = await ask(unknown);
    expect(a.page.status).toBe(b.page.status);
    expect(shapeOf(a.page.body, known)).toBe(shapeOf(b.page.body, unknown));
    await mailTo(box, known);
    expect(mailsTo(box, unknown)).toBe(0);
    const guess = await b.browser.request(formAction(b.page.body, b.start.url, "/verify?purpose=sign_in"), {
      form: codeForm(b.page.body, "123456"),
    });
    expect(guess.status).toBe(401);
  });

  it("is not offered when EmailPasswordlessSignInEnabled is off, and the form answers 403", async () => {
    const pool = await selfServicePool(svc, {});
    const browser = new Browser();
    const start = await startSignIn(browser, pool);
    expect(start.page.body).not.toContain("/otp");
    const url = `${formAction(start.page.body, start.url, "/login").replace(/\/login$/, "")}/otp`;
    expect((await browser.request(url, { form: { ...form(start.page.body), email: uniqueEmail() } })).status).toBe(403);
  });
});
