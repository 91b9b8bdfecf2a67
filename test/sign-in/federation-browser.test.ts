import { afterAll, beforeAll, expect, it } from "vitest";
import * as oidc from "openid-client";
import type { Browser } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";
import { chromiumFor, launchChromium, seriousViolations } from "../support/chromium.js";
import { startTestService, type TestService } from "../support/harness.js";
import { REDIRECT } from "../support/sign-in.js";
import { authorization, fedFixture, LOOPBACK_OUTBOUND } from "../support/federation-sign-in.js";
import { startUpstream, type Upstream } from "../support/upstream-oidc.js";

const available = chromiumFor("test/sign-in/federation-browser.test.ts");

let svc: TestService;
let upstream: Upstream;
let browser: Browser;
beforeAll(async () => {
  if (!available) return;
  upstream = await startUpstream();
  svc = await startTestService({ env: LOOPBACK_OUTBOUND });
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await svc?.close();
  await upstream?.close();
});

it.skipIf(!available)("a person signs in with an OIDC connection in Chromium", { timeout: 120_000 }, async () => {
  const f = await fedFixture(svc, upstream);
  upstream.nextLogin = { account: { sub: "chromium-person", email: "chromium@example.org", email_verified: true, name: "Chrome Person" } };
  const auth = await authorization(f);
  const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  await page.goto(auth.url);
  const link = page.getByRole("link", { name: `Sign in with ${f.connectionName}` });
  await link.waitFor();
  expect(seriousViolations(await new AxeBuilder({ page }).analyze())).toEqual([]);

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
  expect(seriousViolations(await new AxeBuilder({ page: second }).analyze())).toEqual([]);
  await back.click();
  await second.getByRole("link", { name: `Sign in with ${f.connectionName}` }).waitFor();
  await fresh.close();
  await context.close();
});
