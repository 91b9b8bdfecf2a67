// A person signs in with a real browser (Debian's Chromium through playwright-core) on a phone-sized
// screen, with the keyboard alone, and the hosted pages pass an accessibility scan (axe) with no
// serious or critical violation. Chromium is installed with apt-get when missing; when that fails
// the test is skipped with a loud message (the CI installs it: .ci/run).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as oidc from "openid-client";
import { chromium, type Browser } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";
import { startTestService, type TestService } from "../support/harness.js";
import { PASSWORD, REDIRECT, rpConfig, signInFixture } from "../support/sign-in.js";

const CHROMIUM = "/usr/bin/chromium";

function ensureChromium(): boolean {
  if (existsSync(CHROMIUM)) return true;
  try {
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], {
      stdio: "ignore",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      timeout: 600_000,
    });
  } catch {
    try {
      execFileSync("apt-get", ["update"], { stdio: "ignore", timeout: 300_000 });
      execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], {
        stdio: "ignore",
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
        timeout: 600_000,
      });
    } catch {
      /* reported below */
    }
  }
  return existsSync(CHROMIUM);
}

const available = ensureChromium();
if (!available)
  console.error("\n*** SKIPPED test/sign-in/browser.test.ts: Chromium is not installed and apt-get could not install it ***\n");

let svc: TestService;
let browser: Browser;
beforeAll(async () => {
  if (!available) return;
  svc = await startTestService();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage", "--no-first-run"],
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await svc?.close();
});

const serious = (r: Awaited<ReturnType<AxeBuilder["analyze"]>>) =>
  r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`);

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
  expect(serious(await new AxeBuilder({ page }).analyze())).toEqual([]);
  // Nothing is wider than the screen.
  expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

  // Keyboard only: the identifier has the focus, Tab moves to the password, Enter submits.
  await page.keyboard.type(f.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");

  await page.waitForSelector("form[action$='/consent']");
  expect(serious(await new AxeBuilder({ page }).analyze())).toEqual([]);
  // The relying party's callback is not a real site (the navigation to it fails): its URL is enough.
  const arrived = page.waitForRequest(/^https:\/\/app\.example\.com\/cb/);
  await page.keyboard.press("Enter"); // "Allow" has the focus
  const callback = (await arrived).url();

  const tokens = await oidc.authorizationCodeGrant(config, new URL(callback!), { pkceCodeVerifier: verifier, expectedState: state });
  expect(tokens.claims()!.sub).toBe(f.userUid);
  await context.close();
});
