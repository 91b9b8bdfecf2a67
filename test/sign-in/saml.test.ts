// SAML sign-in's protocol module (src/sign-in/federation/saml.ts) against a real IdP on loopback
// (samlify, its own RSA key and certificate; test/support/saml-idp.ts) and the suite's Postgres:
// the AuthnRequest in both bindings (signed with the pool's SP key, verified by the IdP), the
// Response verified and read into a profile, an encrypted assertion, and each refusal on its own,
// every refused Response signed with the IdP's real key so that only the check under test can
// refuse it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acsUrl, finishSamlSignIn, spEntityId, startSamlSignIn } from "../../src/sign-in/federation/saml.js";
import { FederationFailure, type FederationMode } from "../../src/sign-in/federation/profile.js";
import { rememberAssertion, samlAssertionPurges } from "../../src/sign-in/federation/saml-replay.js";
import { pickStrings } from "../../src/sign-in/pages/i18n.js";
import type { TestCa } from "../support/families/federation.js";
import { createPool, uniqueName } from "../support/families/user-pools.js";
import { closeSamlWorld, startSamlWorld, toIdp as toIdpOver, type SamlWorld } from "../support/saml-sign-in.js";
import type { TestService } from "../support/harness.js";
import { formOf, startTestIdp, type ResponseFields, type TestIdp } from "../support/saml-idp.js";

let svc: TestService;
let tls: TestCa;
let idp: TestIdp;
let postIdp: TestIdp;

/** A GET or form POST to the IdP over https, trusting the test CA. */
const toIdp = (url: string, form?: Record<string, string>) => toIdpOver(tls, url, form);

interface Setup {
  poolUid: string;
  issuer: string;
  connectionUid: string;
  idp: TestIdp;
}

const rowOf = (s: Setup) =>
  svc.deps.db
    .selectFrom("identity_providers")
    .selectAll()
    .where("account_id", "=", svc.accountId)
    .where("uid", "=", s.connectionUid)
    .executeTakeFirstOrThrow();

/** A pool with a SAML connection to `to`, which trusts the pool's SP metadata as served. */
async function setup(to: TestIdp, fields: Record<string, unknown> = {}, trust: Parameters<TestIdp["trust"]>[1] = {}): Promise<Setup> {
  const poolUid = await createPool(svc);
  const pool = await svc.ok("GetUserPool", { UserPoolUid: poolUid });
  const connection = await svc.ok("CreateIdentityProviderSAML", {
    UserPoolUid: poolUid,
    Name: uniqueName("saml"),
    IdpMetadata: to.metadata,
    IdAttribute: "NameID",
    ...fields,
  });
  const served = await fetch(`${pool.IssuerUrl}/saml/metadata/${connection.Uid}`);
  expect(served.status).toBe(200);
  to.trust(await served.text(), trust);
  return { poolUid, issuer: pool.IssuerUrl, connectionUid: connection.Uid, idp: to };
}

const page = { t: pickStrings("en"), brand: { name: "", logoUri: "" }, label: "Continue" };

async function start(s: Setup, mode: FederationMode = "login") {
  return startSamlSignIn(svc.deps, { connection: await rowOf(s), issuer: s.issuer, mode, relayState: `rs-${uniqueName("x")}`, page });
}

async function finish(s: Setup, samlResponse: string, requestId: string, mode: FederationMode = "login") {
  return finishSamlSignIn(svc.deps, { connection: await rowOf(s), issuer: s.issuer, mode, samlResponse, requestId });
}

/** What finish refused with, as "reason: detail"; fails the test when it accepted. */
async function refusal(s: Setup, samlResponse: string, requestId: string): Promise<string> {
  try {
    await finish(s, samlResponse, requestId);
  } catch (err) {
    if (err instanceof FederationFailure) return `${err.reason}: ${err.detail}`;
    throw err;
  }
  throw new Error("the response was accepted");
}

/** A fresh request of `s` and the fields of a correct Response to it (a test changes one). */
async function correct(s: Setup, person = s.idp.person): Promise<{ requestId: string; fields: ResponseFields }> {
  const { requestId } = await start(s);
  return {
    requestId,
    fields: { inResponseTo: requestId, acs: acsUrl(s.issuer, "login"), audience: spEntityId(svc.deps, s.poolUid), person },
  };
}

const decode = (b64: string) => Buffer.from(b64, "base64").toString("utf8");
const encode = (xml: string) => Buffer.from(xml, "utf8").toString("base64");

let world: SamlWorld | undefined;
beforeAll(async () => {
  world = await startSamlWorld();
  ({ svc, tls, idp, postIdp } = world);
}, 60_000);
afterAll(() => closeSamlWorld(world));

describe("SAML sign-in: the round trip", () => {
  it("sends a signed AuthnRequest by HTTP-Redirect and reads the IdP's signed Response into a profile", async () => {
    const s = await setup(idp, { EnabledSign: true });
    idp.person = { nameId: "ada@idp.example", attributes: { email: "ada@idp.example", givenName: "Ada", groups: ["eng", "ops"] } };
    const started = await start(s);
    expect(started.redirect).toMatch(new RegExp(`^${idp.origin}/sso\\?SAMLRequest=`));
    const redirect = new URL(started.redirect!);
    expect(redirect.searchParams.get("SigAlg")).toBe("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
    const answer = await toIdp(started.redirect!);
    expect(answer.status, answer.body).toBe(200);
    // The IdP verified the request's signature against the SP metadata's certificate.
    const seen = idp.requests.at(-1)!;
    expect(seen).toMatchObject({ binding: "redirect", id: started.requestId, signed: true, acs: `${s.issuer}/callback/saml/login` });
    const form = formOf(answer.body);
    expect(form.action).toBe(`${s.issuer}/callback/saml/login`);
    expect(form.fields.RelayState).toBe(redirect.searchParams.get("RelayState"));
    const profile = await finish(s, form.fields.SAMLResponse!, started.requestId);
    expect(profile).toMatchObject({
      connectionUid: s.connectionUid,
      provider: "saml",
      subject: "ada@idp.example",
      email: "ada@idp.example",
      claims: { email: "ada@idp.example", givenName: "Ada", groups: ["eng", "ops"], NameID: "ada@idp.example" },
    });
    expect(profile.emailVerified).toBeUndefined();
  });

  it("sends the AuthnRequest by HTTP-POST (a page with the form, no script) when that is the IdP's only binding", async () => {
    const s = await setup(postIdp, { EnabledSign: true });
    postIdp.person = { nameId: "grace", attributes: {} };
    const started = await start(s, "signup");
    expect(started.redirect).toBeUndefined();
    expect(started.page!.headers["Content-Security-Policy"]).toContain(`form-action 'self' ${postIdp.origin}`);
    expect(started.page!.body).not.toContain("<script");
    const form = formOf(started.page!.body);
    expect(form.action).toBe(`${postIdp.origin}/sso`);
    // Base64 of the XML itself (not deflated), signed inside.
    const request = decode(form.fields.SAMLRequest!);
    expect(request).toMatch(/^(<\?xml[^>]*>)?<samlp:AuthnRequest[\s\S]*<(\w+:)?Signature/);
    expect(request).toContain('<DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>');
    const answer = await toIdp(form.action, form.fields);
    expect(answer.status, answer.body).toBe(200);
    expect(postIdp.requests.at(-1)).toMatchObject({ binding: "post", signed: true, acs: `${s.issuer}/callback/saml/signup` });
    const profile = await finish(s, formOf(answer.body).fields.SAMLResponse!, started.requestId, "signup");
    expect(profile.subject).toBe("grace");
    expect(profile.email).toBeUndefined();
  });

  it("leaves the request unsigned when EnabledSign is off", async () => {
    const s = await setup(idp);
    const started = await start(s);
    expect(new URL(started.redirect!).searchParams.has("Signature")).toBe(false);
    expect((await toIdp(started.redirect!)).status).toBe(200);
    expect(idp.requests.at(-1)).toMatchObject({ id: started.requestId, signed: false });
  });

  it("decrypts an encrypted assertion with the SP key when EnabledEncryption", async () => {
    const s = await setup(idp, { EnabledEncryption: true }, { encrypt: true });
    idp.person = { nameId: "secret-person", attributes: { mail: "secret@idp.example" } };
    const { requestId, fields } = await correct(s);
    const response = await idp.response(fields);
    const xml = decode(response);
    expect(xml).toContain("EncryptedAssertion");
    expect(xml).not.toContain("secret-person");
    const profile = await finish(s, response, requestId);
    expect(profile).toMatchObject({ subject: "secret-person", email: "secret@idp.example" });
    // The same connection refuses an assertion sent in the clear.
    s.idp.trust(await (await fetch(`${s.issuer}/saml/metadata/${s.connectionUid}`)).text(), { encrypt: false });
    const clear = await correct(s);
    const plain = await idp.response(clear.fields);
    expect(decode(plain)).not.toContain("EncryptedAssertion");
    expect(await refusal(s, plain, clear.requestId)).toBe(
      "invalid_response: the assertion is not encrypted, and the connection has EnabledEncryption",
    );
  });

  it("takes the subject from the attribute IdAttribute names, and refuses an assertion without it", async () => {
    const s = await setup(idp, { IdAttribute: "employeeId" });
    const ok = await correct(s, { nameId: "transient-1", attributes: { employeeId: "E-42" } });
    expect((await finish(s, await idp.response(ok.fields), ok.requestId)).subject).toBe("E-42");
    const without = await correct(s, { nameId: "transient-2", attributes: {} });
    expect(await refusal(s, await idp.response(without.fields), without.requestId)).toMatch(/^missing_claim: .*employeeId/);
  });
});

describe("SAML sign-in: refusals", () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup(idp);
  }, 60_000);
  const person = { nameId: "ada@idp.example", attributes: { email: "ada@idp.example" } };

  it("accepts the correct Response the refusals below each change one thing of", async () => {
    const { requestId, fields } = await correct(s, person);
    expect((await finish(s, await idp.response(fields), requestId)).subject).toBe("ada@idp.example");
  });

  it("refuses an unsigned assertion", async () => {
    const { requestId, fields } = await correct(s, person);
    const unsigned = decode(await idp.response(fields)).replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, "");
    expect(unsigned).not.toContain("Signature");
    expect(await refusal(s, encode(unsigned), requestId)).toBe("invalid_response: Invalid signature");
  });

  it("refuses an unsigned assertion inside a signed Response", async () => {
    const messageSigner = await startTestIdp(tls);
    try {
      const m = await setup(messageSigner, {}, { messageOnly: true });
      const { requestId, fields } = await correct(m, person);
      const xml = decode(await messageSigner.response(fields));
      // One signature, the Response's, placed after the Response's own Issuer.
      expect(xml.match(/<ds:Signature[\s>]/g)).toHaveLength(1);
      expect(xml).toMatch(/<samlp:Response[^>]*><saml:Issuer>[^<]*<\/saml:Issuer><ds:Signature/);
      expect(await refusal(m, encode(xml), requestId)).toBe("invalid_response: Invalid signature");
    } finally {
      await messageSigner.close();
    }
  });

  it("answers an error status from the IdP as the IdP's refusal", async () => {
    const { requestId, fields } = await correct(s, person);
    const xml = decode(await idp.response(fields))
      .replace(/<saml:Assertion[\s\S]*<\/saml:Assertion>/, "")
      .replace(
        /<samlp:StatusCode Value="[^"]+"\/>/,
        '<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"/></samlp:StatusCode>',
      );
    expect(await refusal(s, encode(xml), requestId)).toBe("provider_error: SAML provider returned Responder error: AuthnFailed");
  });

  it("refuses an assertion whose content changed after signing", async () => {
    const { requestId, fields } = await correct(s, person);
    const forged = decode(await idp.response(fields)).replace(">ada@idp.example</saml:NameID>", ">admin@idp.example</saml:NameID>");
    expect(forged).toContain("admin@idp.example");
    expect(await refusal(s, encode(forged), requestId)).toBe("invalid_response: Invalid signature");
  });

  it("refuses signature wrapping: a forged assertion beside the signed one", async () => {
    const { requestId, fields } = await correct(s, person);
    const xml = decode(await idp.response(fields));
    const signed = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)![0];
    // XSW: the forged assertion (another id, another user, no signature of its own) takes the signed
    // one's place, which is kept inside the forged one's Subject so its signature still verifies.
    const forged = signed
      .replace(/ ID="[^"]+"/, ' ID="_forged"')
      .replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, "")
      .replace(">ada@idp.example</saml:NameID>", `>admin@idp.example</saml:NameID>${signed}`);
    const wrapped = xml.replace(signed, forged);
    expect(await refusal(s, encode(wrapped), requestId)).toBe("invalid_response: the response holds more than one assertion");
  });

  it("refuses signature wrapping: the signed assertion moved into Extensions", async () => {
    const { requestId, fields } = await correct(s, person);
    const xml = decode(await idp.response(fields));
    const signed = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)![0];
    const forged = signed
      .replace(/ ID="[^"]+"/, ' ID="_forged"')
      .replace(">ada@idp.example</saml:NameID>", ">admin@idp.example</saml:NameID>");
    const wrapped = xml.replace(signed, forged).replace("<samlp:Status>", `<samlp:Extensions>${signed}</samlp:Extensions><samlp:Status>`);
    expect(await refusal(s, encode(wrapped), requestId)).toBe("invalid_response: the response holds more than one assertion");
  });

  it("refuses a comment injected into the NameID (the signature still verifies without comments)", async () => {
    // The IdP vouches for ada@idp.example.evil.test; the comment makes a naive reader see ada@idp.example.
    const { requestId, fields } = await correct(s, { nameId: "ada@idp.example.evil.test", attributes: {} });
    const xml = decode(await idp.response(fields));
    const injected = xml.replace(">ada@idp.example.evil.test<", ">ada@idp.example<!---->.evil.test<");
    expect(injected).toContain("<!---->");
    expect(await refusal(s, encode(injected), requestId)).toBe("invalid_response: the response contains XML comments");
  });

  it("refuses an assertion for another audience", async () => {
    const { requestId, fields } = await correct(s, person);
    const response = await idp.response({ ...fields, audience: "https://other-sp.example/" });
    expect(await refusal(s, response, requestId)).toMatch(/^invalid_response: SAML assertion audience mismatch/);
  });

  it("refuses an assertion whose Recipient is another ACS", async () => {
    const { requestId, fields } = await correct(s, person);
    const response = await idp.response({ ...fields, recipient: "https://other-sp.example/acs" });
    expect(await refusal(s, response, requestId)).toBe(
      "invalid_response: the assertion's Recipient is not this assertion consumer service",
    );
  });

  it("refuses a Response whose Destination is another ACS", async () => {
    const { requestId, fields } = await correct(s, person);
    const response = await idp.response({ ...fields, destination: "https://other-sp.example/acs" });
    expect(await refusal(s, response, requestId)).toBe(
      "invalid_response: the response's Destination is not this assertion consumer service",
    );
  });

  it("refuses a Response to another request (InResponseTo), even another of the same pool", async () => {
    const { requestId } = await correct(s, person);
    const other = await correct(s, person);
    const response = await idp.response(other.fields);
    expect(await refusal(s, response, requestId)).toBe("invalid_response: InResponseTo is not valid");
  });

  it("refuses a signed InResponseTo that is not this sign-in's request, whatever the unsigned envelope says", async () => {
    const { requestId, fields } = await correct(s, person);
    // The Response element (unsigned) names this request; the signed assertion's subject names none.
    const xml = decode(await idp.response({ ...fields, subjectInResponseTo: "" }));
    expect(await refusal(s, encode(xml), requestId)).toBe("invalid_response: the assertion's InResponseTo is not this sign-in's request");
  });

  it("refuses an expired assertion (its Conditions or its bearer confirmation), and accepts one within the clock skew", async () => {
    const late = await correct(s, person);
    const expired = await idp.response({
      ...late.fields,
      notOnOrAfter: new Date(Date.now() - 5 * 60_000),
      subjectNotOnOrAfter: new Date(Date.now() + 5 * 60_000),
    });
    expect(await refusal(s, expired, late.requestId)).toMatch(/^invalid_response: SAML assertion expired/);
    const lateSubject = await correct(s, person);
    const subjectExpired = await idp.response({
      ...lateSubject.fields,
      subjectNotOnOrAfter: new Date(Date.now() - 5 * 60_000),
    });
    expect(await refusal(s, subjectExpired, lateSubject.requestId)).toBe(
      "invalid_response: No valid subject confirmation found among those available in the SAML assertion",
    );
    const skewed = await correct(s, person);
    const justExpired = await idp.response({ ...skewed.fields, notOnOrAfter: new Date(Date.now() - 20_000) });
    expect((await finish(s, justExpired, skewed.requestId)).subject).toBe("ada@idp.example");
  });

  it("refuses an assertion that is not yet valid, and accepts one within the clock skew", async () => {
    const early = await correct(s, person);
    const future = await idp.response({ ...early.fields, notBefore: new Date(Date.now() + 5 * 60_000) });
    expect(await refusal(s, future, early.requestId)).toBe("invalid_response: SAML assertion not yet valid");
    const skewed = await correct(s, person);
    const almost = await idp.response({ ...skewed.fields, notBefore: new Date(Date.now() + 20_000) });
    expect((await finish(s, almost, skewed.requestId)).subject).toBe("ada@idp.example");
  });

  it("refuses a replayed assertion, remembered in Postgres until it expires", async () => {
    const { requestId, fields } = await correct(s, person);
    const response = await idp.response(fields);
    await finish(s, response, requestId);
    expect(await refusal(s, response, requestId)).toBe("invalid_response: the assertion was already used");
    const kept = await svc.deps.db
      .selectFrom("saml_assertions")
      .select("expires_at")
      .where("account_id", "=", svc.accountId)
      .where("pool_uid", "=", s.poolUid)
      .execute();
    expect(kept.length).toBeGreaterThan(0);
    for (const row of kept) expect(row.expires_at.getTime()).toBeGreaterThan(Date.now());
    // Housekeeping deletes an id once its assertion has expired, never before.
    const [rule] = samlAssertionPurges;
    const expiredKey = { accountId: svc.accountId, poolUid: s.poolUid, connectionUid: s.connectionUid, assertionId: "_long-gone" };
    const longAgo = new Date(Date.now() - 3 * 24 * 3600_000);
    expect(await rememberAssertion(svc.deps.db, expiredKey, longAgo, longAgo)).toBe(true);
    await rule!.purge(svc.deps.db, new Date(Date.now() - rule!.keepMs));
    const left = await svc.deps.db.selectFrom("saml_assertions").select("expires_at").where("pool_uid", "=", s.poolUid).execute();
    expect(left.length).toBe(kept.length);
    expect(await rememberAssertion(svc.deps.db, expiredKey, new Date(), undefined)).toBe(true);
  });

  it("refuses an assertion issued by another entity than the connection's IdP", async () => {
    const { requestId, fields } = await correct(s, person);
    const response = await idp.response({ ...fields, issuer: "https://evil-idp.example/" });
    expect(await refusal(s, response, requestId)).toBe("invalid_response: the assertion's Issuer is not the connection's IdP entity id");
  });

  it("refuses a DOCTYPE, which could expand entities", async () => {
    const { requestId, fields } = await correct(s, person);
    const xml = decode(await idp.response(fields));
    const withDoctype = `<!DOCTYPE r [<!ENTITY a "aaaa">]>${xml}`;
    expect(await refusal(s, encode(withDoctype), requestId)).toBe("invalid_response: the response has a DOCTYPE or entity declaration");
  });

  it("refuses what is not a SAML Response, or not XML, or not base64", async () => {
    const { requestId } = await correct(s, person);
    expect(await refusal(s, encode("<samlp:LogoutResponse xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol'/>"), requestId)).toBe(
      "invalid_response: the message is not a SAML 2.0 Response",
    );
    expect(await refusal(s, encode("<unclosed"), requestId)).toBe("invalid_response: the response is not well-formed XML");
    expect(await refusal(s, "%%%", requestId)).toBe("invalid_response: SAMLResponse is not base64");
  });

  it("refuses an assertion signed by another key than the connection's certificate", async () => {
    const stranger = await startTestIdp(tls);
    try {
      // Same entity id as the trusted IdP, own key: only the certificate tells them apart.
      const other = await setup(stranger);
      const { requestId, fields } = await correct(s, person);
      const response = await stranger.response({ ...fields, issuer: idp.entityId });
      expect(other.connectionUid).not.toBe(s.connectionUid);
      expect(await refusal(s, response, requestId)).toBe("invalid_response: Invalid signature");
    } finally {
      await stranger.close();
    }
  });
});

describe("SAML SP metadata", () => {
  it("serves the connection's SpMetadata at <Issuer>/saml/metadata/<ConnectionUid>, and nothing for another pool's", async () => {
    const s = await setup(idp, { EnabledSign: true, EnabledEncryption: true });
    const connection = await svc.ok("GetIdentityProviderSAML", { UserPoolUid: s.poolUid, ConnectionUid: s.connectionUid });
    const served = await fetch(`${s.issuer}/saml/metadata/${s.connectionUid}`);
    expect(served.headers.get("content-type")).toMatch(/^application\/samlmetadata\+xml/);
    expect(await served.text()).toBe(connection.SpMetadata);
    const otherPool = await createPool(svc);
    const pool = await svc.ok("GetUserPool", { UserPoolUid: otherPool });
    expect((await fetch(`${pool.IssuerUrl}/saml/metadata/${s.connectionUid}`)).status).toBe(404);
    expect((await fetch(`${s.issuer}/saml/metadata/no-such-connection`)).status).toBe(404);
    expect((await fetch(`${s.issuer}/saml/metadata/${s.connectionUid}`, { method: "POST" })).status).toBe(404);
  });
});
