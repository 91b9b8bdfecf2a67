// A person signs in through an OIDC connection in a real browser (Debian's Chromium through
// playwright-core): the sign-in page lists the connection, the link leads to the upstream provider
// (oidc-provider on loopback, which signs in without a person), and the browser comes back through
// our callback to the client, real cookies (SameSite=Lax, HttpOnly) carrying the binding. The page
// with the connection and a refusal's page pass an accessibility scan (axe). Skipped loudly when
// Chromium is missing (browser.test.ts installs it when it can).
import { existsSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as oidc from "openid-client";
import { chromium, type Browser } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";
import { startTestService, type TestService } from "../support/harness.js";
import { REDIRECT } from "../support/sign-in.js";
import { authorization, fedFixture, LOOPBACK_OUTBOUND } from "../support/federation-sign-in.js";
import { startUpstream, type Upstream } from "../support/upstream-oidc.js";

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available) console.error("\n*** SKIPPED test/sign-in/federation-browser.test.ts: Chromium is not installed ***\n");

let svc: TestService;
let upstream: Upstream;
let browser: Browser;
beforeAll(async () => {
  if (!available) return;
  upstream = await startUpstream();
  svc = await startTestService({ env: LOOPBACK_OUTBOUND });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage", "--no-first-run"],
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await svc?.close();
  await upstream?.close();
});

const serious = (r: Awaited<ReturnType<AxeBuilder["analyze"]>>) =>
  r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`);

it.skipIf(!available)("a person signs in with an OIDC connection in Chromium", { timeout: 120_000 }, async () => {
  const f = await fedFixture(svc, upstream);
  upstream.nextLogin = { account: { sub: "chromium-person", email: "chromium@example.org", email_verified: true, name: "Chrome Person" } };
  const auth = await authorization(f);
  const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  await page.goto(auth.url);
  const link = page.getByRole("link", { name: `Sign in with ${f.connectionName}` });
  await link.waitFor();
  expect(serious(await new AxeBuilder({ page }).analyze())).toEqual([]);

  // The relying party's callback is not a real site (the navigation to it fails): its URL is enough.
  const arrived = page.waitForRequest((r) => r.url().startsWith(REDIRECT));
  await link.click();
  const callback = (await arrived).url();
  const tokens = await oidc.authorizationCodeGrant(f.config, new URL(callback), {
    pkceCodeVerifier: auth.verifier,
    expectedState: auth.state,
    expectedNonce: auth.nonce,
  });
  const user = await svc.ok("GetUser", { UserPoolUid: f.poolUid, UserUid: tokens.claims()!.sub });
  expect(user.ExternalIdentities[0].ExternalProviderUserIdentifier).toBe("chromium-person");
  const binding = (await context.cookies()).find((c) => c.name === `idp-f-${f.poolUid}`);
  expect(binding).toMatchObject({ httpOnly: true, sameSite: "Lax" });

  // A refusal is a page with a way back, and accessible too.
  upstream.nextLogin = { error: "access_denied" };
  const again = await authorization(f);
  const fresh = await browser.newContext();
  const second = await fresh.newPage();
  await second.goto(again.url);
  await second.getByRole("link", { name: `Sign in with ${f.connectionName}` }).click();
  const back = second.getByRole("link", { name: "Back to sign-in" });
  await back.waitFor();
  expect(serious(await new AxeBuilder({ page: second }).analyze())).toEqual([]);
  await back.click();
  await second.getByRole("link", { name: `Sign in with ${f.connectionName}` }).waitFor();
  await fresh.close();
  await context.close();
});
