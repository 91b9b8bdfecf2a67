import { afterAll, beforeAll, expect, it } from "vitest";
import * as oidc from "openid-client";
import type { Browser, Page } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";
import { chromiumFor, launchChromium, seriousViolations } from "../support/chromium.js";
import { startTestService, type TestService } from "../support/harness.js";
import { REDIRECT } from "../support/sign-in.js";
import { codeOf, mailTo, selfServicePool, startMailbox, STRONG, uniqueEmail, type Mailbox, type Pool } from "../support/self-service.js";

const available = chromiumFor("test/sign-in/self-service-browser.test.ts");

let svc: TestService;
let box: Mailbox;
let browser: Browser;
beforeAll(async () => {
  if (!available) return;
  svc = await startTestService();
  box = await startMailbox(svc);
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await box?.close();
  await svc?.close();
});

/** The page passes axe with no serious or critical violation and fits a 375 px screen. */
async function accessible(page: Page) {
  const r = await new AxeBuilder({ page }).analyze();
  expect(seriousViolations(r)).toEqual([]);
  expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
}

async function authorize(pool: Pool) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(pool.config, {
    redirect_uri: REDIRECT,
    scope: "openid email",
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
  });
  return { url: url.href, verifier, state };
}

async function newPage(locale = "en-US") {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, locale });
  return { context, page: await context.newPage() };
}

/** Waits for the browser to be sent to the client's callback; returns the tokens' subject. */
async function subjectAt(pool: Pool, arrived: Promise<{ url(): string }>, a: { verifier: string; state: string }) {
  const callback = (await arrived).url();
  const tokens = await oidc.authorizationCodeGrant(pool.config, new URL(callback), {
    pkceCodeVerifier: a.verifier,
    expectedState: a.state,
  });
  return tokens.claims()!.sub;
}

it.skipIf(!available)("signs up with a mailed code, on accessible pages", { timeout: 120_000 }, async () => {
  const pool = await selfServicePool(svc, {
    SelfSignUpEnabled: true,
    SignUpAutoVerificationEnabled: true,
    SelfAccountRecoveryEnabled: true,
    RequiredSignUpAttributes: ["email", "given_name"],
    PasswordPolicy: { MinLength: 10, RequireUppercase: true },
  });
  const email = uniqueEmail();
  const a = await authorize(pool);
  const { context, page } = await newPage("zh-CN");
  await page.goto(a.url);
  await accessible(page);
  await page.getByRole("link", { name: "创建账号" }).click();
  await page.waitForSelector("form[action$='/signup']");
  await accessible(page);
  await page.getByLabel("邮箱").fill(email);
  await page.getByLabel("密码").fill("weakpassword");
  await page.getByLabel("名", { exact: false }).last().fill("Ada");
  await page.getByRole("button", { name: "创建账号" }).click();
  await page.waitForSelector("#form-error");
  await accessible(page);
  await page.getByLabel("密码").fill(STRONG);
  await page.getByRole("button", { name: "创建账号" }).click();
  await page.waitForSelector("input[name=code]");
  await accessible(page);
  const mail = await mailTo(box, email);
  expect(mail.subject).toBe("你的 Acme Shop 验证码");
  const arrived = page.waitForRequest(/^https:\/\/app\.example\.com\/cb/);
  await page.getByLabel("验证码").fill(codeOf(mail)!);
  await page.keyboard.press("Enter");
  const sub = await subjectAt(pool, arrived, a);
  expect(await svc.ok("GetUser", { UserPoolUid: pool.poolUid, UserUid: sub })).toMatchObject({
    Email: email,
    EmailVerified: true,
    GivenName: "Ada",
  });
  await context.close();
});

it.skipIf(!available)("refuses sign-up when SelfSignUpEnabled is off", { timeout: 60_000 }, async () => {
  const pool = await selfServicePool(svc, {});
  const a = await authorize(pool);
  const { context, page } = await newPage();
  await page.goto(a.url);
  expect(await page.getByRole("link", { name: "Create an account" }).count()).toBe(0);
  const answer = await page.goto(`${page.url()}/signup`);
  expect(answer!.status()).toBe(403);
  await page.getByText("Creating an account is turned off").waitFor();
  await accessible(page);
  await context.close();
});

it.skipIf(!available)("resets a forgotten password from the sign-in page and signs in with the new one", { timeout: 120_000 }, async () => {
  const pool = await selfServicePool(svc, { SelfAccountRecoveryEnabled: true });
  const email = uniqueEmail();
  await svc.ok("CreateUser", { UserPoolUid: pool.poolUid, Email: email, EmailVerified: true, Password: "Forgotten-0ld-pass" });
  const a = await authorize(pool);
  const { context, page } = await newPage();
  await page.goto(a.url);
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.waitForSelector("form[action$='/forgot']");
  await accessible(page);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send the link" }).click();
  await page.getByText("a link to choose a new password is on its way").waitFor();
  await accessible(page);

  const mail = await mailTo(box, email);
  const link = /https?:\/\/\S+\/reset-password\?token=[A-Za-z0-9_-]+/.exec(mail.text)![0];
  await page.goto(link);
  await accessible(page);
  await page.getByLabel("New password").fill(STRONG);
  await page.getByRole("button", { name: "Set the password" }).click();
  await page.getByText("Your password was changed").waitFor();
  await accessible(page);

  // A new sign-in with the new password, keyboard only.
  const b = await authorize(pool);
  await page.goto(b.url);
  // The page puts the focus on the identifier (autofocus); typing before it lands loses keystrokes
  // on a busy machine (the first letter of the address, once in CI).
  await page.waitForFunction(() => (globalThis as any).document.activeElement?.id === "identifier");
  await page.keyboard.type(email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(STRONG);
  const arrived = page.waitForRequest(/^https:\/\/app\.example\.com\/cb/);
  await page.keyboard.press("Enter");
  expect(await subjectAt(pool, arrived, b)).toBeTruthy();
  await context.close();
});

it.skipIf(!available)("signs in with an email code, offered first as AuthenticationMethodOrder says", { timeout: 120_000 }, async () => {
  const pool = await selfServicePool(svc, { EmailPasswordlessSignInEnabled: true, AuthenticationMethodOrder: ["EMAIL_PASSWORDLESS"] });
  const email = uniqueEmail();
  const user = await svc.ok("CreateUser", { UserPoolUid: pool.poolUid, Email: email });
  const a = await authorize(pool);
  const { context, page } = await newPage();
  await page.goto(a.url);
  await accessible(page);
  // The email-code form comes before the password form.
  const forms = await page.locator("form").evaluateAll((fs) => fs.map((f) => (f as any).getAttribute("action") as string));
  expect(forms.findIndex((f) => f.endsWith("/otp"))).toBeLessThan(forms.findIndex((f) => f.endsWith("/login")));
  await page.locator("#otp-email").fill(email);
  await page.getByRole("button", { name: "Email me a code" }).click();
  await page.waitForSelector("input[name=code]");
  await accessible(page);
  const code = codeOf(await mailTo(box, email))!;
  const arrived = page.waitForRequest(/^https:\/\/app\.example\.com\/cb/);
  await page.getByLabel("Code").fill(code);
  await page.getByRole("button", { name: "Continue" }).click();
  expect(await subjectAt(pool, arrived, a)).toBe(user.Uid);
  await context.close();
});
