// Sign-in through a pool's SAML connection, end to end: openid-client is the pool's relying party,
// the browser (test/support/sign-in.ts's, keeping cookies) goes from the client to our hosted page,
// takes "Sign in with <connection>", reaches the real IdP on loopback (samlify over https,
// test/support/saml-idp.ts), which verifies our signed AuthnRequest and posts its signed Response
// to our ACS, and comes back to the client with a code; the tokens carry the user made just in
// time from the assertion. Refusals at the ACS are pages with a way back, logged with the
// connection and the reason, never the assertion.
import { request as httpsRequest } from "node:https";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestCa, type TestCa } from "../support/families/federation.js";
import { createPool, uniqueName } from "../support/families/user-pools.js";
import { startTestService, type TestService } from "../support/harness.js";
import { formOf, startTestIdp, type TestIdp } from "../support/saml-idp.js";
import { Browser, REDIRECT, rpConfig } from "../support/sign-in.js";

let svc: TestService;
let tls: TestCa;
let idp: TestIdp;
let postIdp: TestIdp;

function toIdp(url: string, form?: Record<string, string>): Promise<{ status: number; body: string }> {
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

interface Fixture {
  poolUid: string;
  issuer: string;
  connectionUid: string;
  config: oidc.Configuration;
  idp: TestIdp;
}

/** A pool taking sign-ups, a client that skips consent, and a SAML connection (signed requests) to `to`. */
async function fixture(to: TestIdp, connection: Record<string, unknown> = {}): Promise<Fixture> {
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

async function authorization(f: Fixture) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(f.config, {
    redirect_uri: REDIRECT,
    scope: "openid email profile",
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  return { url: url.href, verifier, state, nonce };
}

/** From the client to the IdP's answer: the ACS form the IdP gives the browser, and the client's request. */
async function toAcs(browser: Browser, f: Fixture) {
  const auth = await authorization(f);
  const page = await browser.follow(auth.url);
  expect(page.status).toBe(200);
  const link = new RegExp(`href="([^"]+/federate/${f.connectionUid})"`).exec(page.body)?.[1];
  expect(link, page.body.slice(0, 2000)).toBeTruthy();
  const started = await browser.request(new URL(link!.replace(/&amp;/g, "&"), auth.url).href);
  let answer: { status: number; body: string };
  if (started.location) {
    expect(started.status).toBe(303);
    expect(started.location.startsWith(`${f.idp.origin}/sso?`)).toBe(true);
    answer = await toIdp(started.location);
  } else {
    // HTTP-POST binding: our page holds the form to the IdP.
    expect(started.status).toBe(200);
    const form = formOf(started.body);
    answer = await toIdp(form.action, form.fields);
  }
  expect(answer.status, answer.body).toBe(200);
  return { auth, acs: formOf(answer.body) };
}

/** Posts the ACS form as the browser would (a cross-site POST: our cookies do not come along), then follows. */
async function postAcs(browser: Browser, acs: { action: string; fields: Record<string, string> }) {
  const kept = browser.cookies;
  browser.cookies = [];
  const posted = await browser.request(acs.action, { form: acs.fields });
  browser.cookies = [...kept, ...browser.cookies];
  if (posted.status !== 303 || !posted.location) return posted;
  let res = await browser.request(posted.location);
  for (let i = 0; i < 10 && res.location && !res.location.startsWith(REDIRECT); i++) res = await browser.request(res.location);
  return res;
}

async function signIn(f: Fixture) {
  const browser = new Browser();
  const { auth, acs } = await toAcs(browser, f);
  const final = await postAcs(browser, acs);
  expect(final.location ?? final.body.slice(0, 2000)).toMatch(/^https:\/\/app\.example\.com\/cb\?code=/);
  const tokens = await oidc.authorizationCodeGrant(f.config, new URL(final.location!), {
    pkceCodeVerifier: auth.verifier,
    expectedState: auth.state,
    expectedNonce: auth.nonce,
  });
  return { tokens, acs };
}

beforeAll(async () => {
  svc = await startTestService();
  tls = await makeTestCa();
  idp = await startTestIdp(tls);
  postIdp = await startTestIdp(tls, { bindings: ["post"] });
}, 60_000);
afterAll(async () => {
  await idp?.close();
  await postIdp?.close();
  await svc?.close();
});

describe("sign-in through a SAML connection", () => {
  it("goes from openid-client through the hosted page, the IdP and the ACS to tokens with the user's claims", async () => {
    const f = await fixture(idp);
    const nameId = `${uniqueName("emp")}@corp.example`;
    idp.person = { nameId, attributes: { mail: nameId, displayName: "Katherine Johnson" } };
    const { tokens } = await signIn(f);
    expect(idp.requests.at(-1)).toMatchObject({ binding: "redirect", signed: true, acs: `${f.issuer}/callback/saml/login` });
    const claims = tokens.claims()!;
    expect(claims.iss).toBe(f.issuer);
    const info = await oidc.fetchUserInfo(f.config, tokens.access_token, claims.sub);
    expect(info).toMatchObject({ email: nameId, name: "Katherine Johnson" });

    // The user was made just in time, with the external identity of the connection.
    const user = await svc.ok("GetUser", { UserPoolUid: f.poolUid, UserUid: claims.sub });
    expect(user.Email).toBe(nameId);
    const listed = await svc.ok("ListUsers", { UserPoolUid: f.poolUid, Filter: { Connection: f.connectionUid } });
    expect(JSON.stringify(listed)).toContain(claims.sub);

    // The same identity later is the same user.
    const again = await signIn(f);
    expect(again.tokens.claims()!.sub).toBe(claims.sub);

    // The log names the connection; never the assertion or the person's NameID.
    const logged = svc.logs.join("");
    expect(logged).toContain(f.connectionUid);
    expect(logged).not.toContain(again.acs.fields.SAMLResponse!.slice(0, 40));
    expect(logged).not.toContain(nameId);
  });

  it("signs in through an IdP that only takes the HTTP-POST binding", async () => {
    const f = await fixture(postIdp);
    postIdp.person = { nameId: uniqueName("post-user"), attributes: { mail: `${uniqueName("p")}@corp.example` } };
    const { tokens } = await signIn(f);
    expect(postIdp.requests.at(-1)).toMatchObject({ binding: "post", signed: true });
    expect(tokens.claims()!.sub).toBeTruthy();
  });

  it("answers a tampered assertion with a page and a way back, logging the connection and the reason only", async () => {
    const f = await fixture(idp);
    const nameId = `${uniqueName("mallory")}@corp.example.evil.test`;
    idp.person = { nameId, attributes: {} };
    const browser = new Browser();
    const { acs } = await toAcs(browser, f);
    const xml = Buffer.from(acs.fields.SAMLResponse!, "base64").toString();
    const injected = xml.replace(`>${nameId}<`, `>${nameId.replace(".evil.test", "")}<!---->.evil.test<`);
    expect(injected).not.toBe(xml);
    const before = svc.logs.length;
    const page = await postAcs(browser, { ...acs, fields: { ...acs.fields, SAMLResponse: Buffer.from(injected).toString("base64") } });
    expect(page.status).toBe(400);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.body).toContain("could not be verified");
    expect(page.body).toMatch(/href="[^"]*\/interaction\/[^"]+"/);
    const logged = svc.logs.slice(before).join("");
    expect(logged).toContain('"reason":"invalid_response"');
    expect(logged).toContain("the response contains XML comments");
    expect(logged).toContain(f.connectionUid);
    expect(logged).not.toContain(nameId.slice(0, 12));
    expect(logged).not.toContain(acs.fields.SAMLResponse!.slice(0, 40));
  });

  it("refuses the same Response posted again: its RelayState is spent", async () => {
    const f = await fixture(idp);
    idp.person = { nameId: uniqueName("replayer"), attributes: { mail: `${uniqueName("r")}@corp.example` } };
    const browser = new Browser();
    const { acs } = await toAcs(browser, f);
    const first = await postAcs(browser, acs);
    expect(first.location ?? first.body).toMatch(/^https:\/\/app\.example\.com\/cb\?code=/);
    const replay = await postAcs(new Browser(), acs);
    expect(replay.status).toBe(400);
    expect(replay.body).toContain("already used or has expired");
  });

  it("answers a GET, a missing SAMLResponse or an unknown RelayState at the ACS with a page, never a 500", async () => {
    const f = await fixture(idp);
    const acsUrl = `${f.issuer}/callback/saml/login`;
    const browser = new Browser();
    for (const res of [
      await browser.request(acsUrl),
      await browser.request(acsUrl, { form: { RelayState: "x" } }),
      await browser.request(acsUrl, { form: { SAMLResponse: "PHg+", RelayState: "not-a-state" } }),
    ]) {
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    }
  });
});
