import { afterAll, beforeAll, expect, it } from "vitest";
import * as oidc from "openid-client";
import type { Browser } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";
import { chromiumFor, launchChromium, seriousViolations } from "../support/chromium.js";
import { startTestService, type TestService } from "../support/harness.js";
import { PASSWORD, REDIRECT, rpConfig, signInFixture } from "../support/sign-in.js";

const available = chromiumFor("test/sign-in/browser.test.ts");

let svc: TestService;
let browser: Browser;
beforeAll(async () => {
  if (!available) return;
  svc = await startTestService();
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await svc?.close();
});

it.skipIf(!available)("a person signs in at 375 px with the keyboard alone, on accessible pages", { timeout: 120_000 }, async () => {
  const f = await signInFixture(svc);
  const config = await rpConfig(f, f.clientSecret);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: "openid email",
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
  });
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, locale: "zh-CN" });
  const page = await context.newPage();

  await page.goto(url.href);
  expect(await page.getAttribute("html", "lang")).toBe("zh-CN");
  expect(seriousViolations(await new AxeBuilder({ page }).analyze())).toEqual([]);
  // Nothing is wider than the screen.
  expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

  // Keyboard only: the identifier has the focus, Tab moves to the password, Enter submits.
  await page.keyboard.type(f.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");

  await page.waitForSelector("form[action$='/consent']");
  expect(seriousViolations(await new AxeBuilder({ page }).analyze())).toEqual([]);
  // The relying party's callback is not a real site (the navigation to it fails): its URL is enough.
  const arrived = page.waitForRequest(/^https:\/\/app\.example\.com\/cb/);
  await page.keyboard.press("Enter"); // "Allow" has the focus
  const callback = (await arrived).url();

  const tokens = await oidc.authorizationCodeGrant(config, new URL(callback!), { pkceCodeVerifier: verifier, expectedState: state });
  expect(tokens.claims()!.sub).toBe(f.userUid);
  await context.close();
});
