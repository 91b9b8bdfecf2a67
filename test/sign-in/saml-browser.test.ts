import { AxeBuilder } from "@axe-core/playwright";
import * as oidc from "openid-client";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeTestCa, type TestCa } from "../support/families/federation.js";
import { uniqueName } from "../support/families/user-pools.js";
import { chromiumFor, launchChromium, seriousViolations } from "../support/chromium.js";
import { startTestService, type TestService } from "../support/harness.js";
import { startTestIdp, type TestIdp } from "../support/saml-idp.js";
import { samlFixture } from "../support/saml-sign-in.js";
import { REDIRECT } from "../support/sign-in.js";

const available = chromiumFor("test/sign-in/saml-browser.test.ts");

let svc: TestService;
let tls: TestCa;
let idp: TestIdp;
let browser: Browser;
beforeAll(async () => {
  if (!available) return;
  svc = await startTestService();
  tls = await makeTestCa();
  idp = await startTestIdp(tls, { bindings: ["post"] });
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await svc?.close();
  await idp?.close();
});

it.skipIf(!available)("a person signs in with a SAML connection (HTTP-POST binding) in Chromium", { timeout: 120_000 }, async () => {
  const f = await samlFixture(svc, idp);
  const nameId = `${uniqueName("chromium")}@corp.example`;
  idp.person = { nameId, attributes: { mail: nameId, displayName: "Chrome Person" } };
  const connection = await svc.ok("GetIdentityProviderSAML", { UserPoolUid: f.poolUid, ConnectionUid: f.connectionUid });
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(f.config, {
    redirect_uri: REDIRECT,
    scope: "openid email profile",
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
  });
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(url.href);
  await page.getByRole("link", { name: `Sign in with ${connection.Name}` }).click();

  // Our page holding the signed AuthnRequest for the IdP: one button, accessible.
  const toIdp = page.getByRole("button", { name: `Sign in with ${connection.Name}` });
  await toIdp.waitFor();
  expect(seriousViolations(await new AxeBuilder({ page }).analyze())).toEqual([]);
  await toIdp.click();

  // The IdP's answer: its form to our ACS. The relying party's callback is not a real site (the
  // navigation to it fails): its URL is enough.
  const arrived = page.waitForRequest((r) => r.url().startsWith(REDIRECT));
  await page.getByRole("button", { name: "Continue" }).click();
  const callback = (await arrived).url();
  const tokens = await oidc.authorizationCodeGrant(f.config, new URL(callback), { pkceCodeVerifier: verifier });
  const info = await oidc.fetchUserInfo(f.config, tokens.access_token, tokens.claims()!.sub);
  expect(info).toMatchObject({ email: nameId, name: "Chrome Person" });
  expect(idp.requests.at(-1)).toMatchObject({ binding: "post", signed: true });
  await context.close();
});
