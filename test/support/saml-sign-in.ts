// Test helpers of SAML sign-in through the hosted pages: a pool taking sign-ups with a client that
// skips consent and a SAML connection to the loopback IdP (saml-idp.ts), and the browser's walk:
// client -> page -> "Sign in with" -> IdP (https, trusting the test CA) -> ACS -> client.
import { request as httpsRequest } from "node:https";
import * as oidc from "openid-client";
import { expect } from "vitest";
import { makeTestCa, type TestCa } from "./families/federation.js";
import { createPool, uniqueName } from "./families/user-pools.js";
import { startTestService, type TestService } from "./harness.js";
import { formOf, startTestIdp, type TestIdp } from "./saml-idp.js";
import { authorization, connectionLink } from "./federation-sign-in.js";
import { Browser, REDIRECT, rpConfig } from "./sign-in.js";

/** What a SAML sign-in test file shares: the service, a test CA, and IdPs answering by HTTP-Redirect and by HTTP-POST. */
export interface SamlWorld {
  svc: TestService;
  tls: TestCa;
  idp: TestIdp;
  postIdp: TestIdp;
}

export async function startSamlWorld(): Promise<SamlWorld> {
  const svc = await startTestService();
  const tls = await makeTestCa();
  return { svc, tls, idp: await startTestIdp(tls), postIdp: await startTestIdp(tls, { bindings: ["post"] }) };
}

export async function closeSamlWorld(w: SamlWorld | undefined): Promise<void> {
  await w?.idp.close();
  await w?.postIdp.close();
  await w?.svc.close();
}

export function toIdp(tls: TestCa, url: string, form?: Record<string, string>): Promise<{ status: number; body: string }> {
  const body = form ? new URLSearchParams(form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: form ? "POST" : "GET",
        ca: tls.caPem,
        headers: form ? { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(body!) } : {},
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export interface SamlFixture {
  poolUid: string;
  issuer: string;
  connectionUid: string;
  config: oidc.Configuration;
  idp: TestIdp;
}

/** A pool taking sign-ups, a client that skips consent, and a SAML connection (signed requests) to `to`. */
export async function samlFixture(svc: TestService, to: TestIdp, connection: Record<string, unknown> = {}): Promise<SamlFixture> {
  const poolUid = await createPool(svc, { SelfSignUpEnabled: true });
  const client = await svc.ok("CreateUserPoolClient", {
    UserPoolUid: poolUid,
    Name: "shop web",
    ClientType: "WEB",
    AllowedCallbackUrls: [REDIRECT],
  });
  await svc.ok("UpdateUserPoolClient", { UserPoolUid: poolUid, ClientUid: client.Uid, SkipConsentEnabled: true });
  const pool = await svc.ok("GetUserPool", { UserPoolUid: poolUid });
  const created = await svc.ok("CreateIdentityProviderSAML", {
    UserPoolUid: poolUid,
    Name: uniqueName("corp-saml"),
    IdpMetadata: to.metadata,
    IdAttribute: "NameID",
    EnabledSign: true,
    AttributeMappings: [
      { SourceAttributeName: "mail", TargetAttributeName: "Email" },
      { SourceAttributeName: "displayName", TargetAttributeName: "Name" },
    ],
    ...connection,
  });
  const served = await fetch(`${pool.IssuerUrl}/saml/metadata/${created.Uid}`);
  to.trust(await served.text());
  const f = { issuer: pool.IssuerUrl as string, clientId: client.Uid as string };
  return { poolUid, issuer: f.issuer, connectionUid: created.Uid, config: await rpConfig(f, client.ClientSecret), idp: to };
}

/** From the client to the IdP's answer: the ACS form the IdP gives the browser, and the client's request. */
export async function toAcs(tls: TestCa, browser: Browser, f: SamlFixture) {
  const auth = await authorization(f);
  const page = await browser.follow(auth.url);
  expect(page.status).toBe(200);
  const started = await browser.request(connectionLink(page, auth.url, f.connectionUid));
  let answer: { status: number; body: string };
  if (started.location) {
    expect(started.status).toBe(303);
    expect(started.location.startsWith(`${f.idp.origin}/sso?`)).toBe(true);
    answer = await toIdp(tls, started.location);
  } else {
    // HTTP-POST binding: our page holds the form to the IdP.
    expect(started.status).toBe(200);
    const form = formOf(started.body);
    answer = await toIdp(tls, form.action, form.fields);
  }
  expect(answer.status, answer.body).toBe(200);
  return { auth, acs: formOf(answer.body) };
}

/** Posts the ACS form as the browser would (a cross-site POST: our cookies do not come along), then follows. */
export async function postAcs(browser: Browser, acs: { action: string; fields: Record<string, string> }) {
  const kept = browser.cookies;
  browser.cookies = [];
  const posted = await browser.request(acs.action, { form: acs.fields });
  browser.cookies = [...kept, ...browser.cookies];
  if (posted.status !== 303 || !posted.location) return posted;
  let res = await browser.request(posted.location);
  for (let i = 0; i < 10 && res.location && !res.location.startsWith(REDIRECT); i++) res = await browser.request(res.location);
  return res;
}

export async function samlSignIn(tls: TestCa, f: SamlFixture) {
  const browser = new Browser();
  const { auth, acs } = await toAcs(tls, browser, f);
  const final = await postAcs(browser, acs);
  expect(final.location ?? final.body.slice(0, 2000)).toMatch(/^https:\/\/app\.example\.com\/cb\?code=/);
  const tokens = await oidc.authorizationCodeGrant(f.config, new URL(final.location!), {
    pkceCodeVerifier: auth.verifier,
    expectedState: auth.state,
    expectedNonce: auth.nonce,
  });
  return { tokens, acs };
}
