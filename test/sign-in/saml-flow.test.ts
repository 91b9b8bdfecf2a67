// Sign-in through a pool's SAML connection, end to end: openid-client is the pool's relying party,
// the browser (test/support/sign-in.ts's, keeping cookies) goes from the client to our hosted page,
// takes "Sign in with <connection>", reaches the real IdP on loopback (samlify over https,
// test/support/saml-idp.ts), which verifies our signed AuthnRequest and posts its signed Response
// to our ACS, and comes back to the client with a code; the tokens carry the user made just in
// time from the assertion. Refusals at the ACS are pages with a way back, logged with the
// connection and the reason, never the assertion.
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestCa } from "../support/families/federation.js";
import { uniqueName } from "../support/families/user-pools.js";
import type { TestService } from "../support/harness.js";
import type { TestIdp } from "../support/saml-idp.js";
import { closeSamlWorld, postAcs, samlFixture, samlSignIn, startSamlWorld, toAcs, type SamlWorld } from "../support/saml-sign-in.js";
import { Browser } from "../support/sign-in.js";

let svc: TestService;
let tls: TestCa;
let idp: TestIdp;
let postIdp: TestIdp;

let world: SamlWorld | undefined;
beforeAll(async () => {
  world = await startSamlWorld();
  ({ svc, tls, idp, postIdp } = world);
}, 60_000);
afterAll(() => closeSamlWorld(world));

describe("sign-in through a SAML connection", () => {
  it("goes from openid-client through the hosted page, the IdP and the ACS to tokens with the user's claims", async () => {
    const f = await samlFixture(svc, idp);
    const nameId = `${uniqueName("emp")}@corp.example`;
    idp.person = { nameId, attributes: { mail: nameId, displayName: "Katherine Johnson" } };
    const { tokens } = await samlSignIn(tls, f);
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
    const again = await samlSignIn(tls, f);
    expect(again.tokens.claims()!.sub).toBe(claims.sub);

    // The log names the connection; never the assertion or the person's NameID.
    const logged = svc.logs.join("");
    expect(logged).toContain(f.connectionUid);
    expect(logged).not.toContain(again.acs.fields.SAMLResponse!.slice(0, 40));
    expect(logged).not.toContain(nameId);
  });

  it("signs in through an IdP that only takes the HTTP-POST binding", async () => {
    const f = await samlFixture(svc, postIdp);
    postIdp.person = { nameId: uniqueName("post-user"), attributes: { mail: `${uniqueName("p")}@corp.example` } };
    const { tokens } = await samlSignIn(tls, f);
    expect(postIdp.requests.at(-1)).toMatchObject({ binding: "post", signed: true });
    expect(tokens.claims()!.sub).toBeTruthy();
  });

  it("answers a tampered assertion with a page and a way back, logging the connection and the reason only", async () => {
    const f = await samlFixture(svc, idp);
    const nameId = `${uniqueName("mallory")}@corp.example.evil.test`;
    idp.person = { nameId, attributes: {} };
    const browser = new Browser();
    const { acs } = await toAcs(tls, browser, f);
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
    const f = await samlFixture(svc, idp);
    idp.person = { nameId: uniqueName("replayer"), attributes: { mail: `${uniqueName("r")}@corp.example` } };
    const browser = new Browser();
    const { acs } = await toAcs(tls, browser, f);
    const first = await postAcs(browser, acs);
    expect(first.location ?? first.body).toMatch(/^https:\/\/app\.example\.com\/cb\?code=/);
    const replay = await postAcs(new Browser(), acs);
    expect(replay.status).toBe(400);
    expect(replay.body).toContain("already used or has expired");
  });

  it("answers a GET, a missing SAMLResponse or an unknown RelayState at the ACS with a page, never a 500", async () => {
    const f = await samlFixture(svc, idp);
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
