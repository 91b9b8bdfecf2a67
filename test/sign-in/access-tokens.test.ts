// Every access token is an RFC 9068 JWT signed with the pool's key, and every one also works at the
// pool's own endpoints: userinfo (code-flow tokens), introspection (active until it expires or is
// revoked) and revocation (which ends it at once) for the tokens of a user (code flow, the pool's
// API); client_credentials tokens are stateless (introspectable until they expire, not revocable).
// Anything else that looks like a token finds nothing: a tampered JWT, the bare jti it carries, an
// ID token, a forged lookup form.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as oidc from "openid-client";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { startTestService, type TestService } from "../support/harness.js";
import { Browser, rpConfig, signIn, signInFixture, type SignInFixture } from "../support/sign-in.js";

let svc: TestService;
let f: SignInFixture;
let config: oidc.Configuration;

beforeAll(async () => {
  svc = await startTestService();
  f = await signInFixture(svc, { client: { SkipConsentEnabled: true } });
  config = await rpConfig(f, f.clientSecret);
}, 60_000);
afterAll(async () => {
  await svc?.close();
});

async function codeFlowTokens(params: Record<string, string> = {}, tokenParams: Record<string, string> = {}) {
  const flow = await signIn(new Browser(), config, f, params);
  return oidc.authorizationCodeGrant(
    config,
    new URL(flow.callback!),
    { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce },
    tokenParams,
  );
}

/** Verifies an access token as a resource server would (RFC 9068 §4): the pool's JWKS, iss, aud, typ. */
async function verifyAsResourceServer(token: string) {
  const jwks = createRemoteJWKSet(new URL(`${f.issuer}/.well-known/jwks.json`));
  return jwtVerify(token, jwks, { issuer: f.issuer, audience: f.issuer, typ: "at+jwt", algorithms: ["ES256"] });
}

const introspect = (token: string) => oidc.tokenIntrospection(config, token);

/** The OAuth error of a refused call: a body's `error`, or a WWW-Authenticate challenge's (userinfo). */
async function oauthError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    const err = e as { error?: string; cause?: { error?: string } | Array<{ parameters?: { error?: string } }> };
    if (Array.isArray(err.cause)) return err.cause[0]?.parameters?.error ?? String(e);
    return err.error ?? err.cause?.error ?? String(e);
  }
  throw new Error("expected a refusal");
}

describe("access tokens", () => {
  it("of the code flow are JWTs that userinfo takes, introspection describes and revocation ends", async () => {
    const tokens = await codeFlowTokens();
    const { payload, protectedHeader } = await verifyAsResourceServer(tokens.access_token);
    expect(protectedHeader).toMatchObject({ alg: "ES256", typ: "at+jwt" });
    expect(payload).toMatchObject({ iss: f.issuer, aud: f.issuer, sub: f.userUid, client_id: f.clientId, scope: "openid profile email" });
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(typeof payload.jti).toBe("string");

    expect((await oidc.fetchUserInfo(config, tokens.access_token, f.userUid)).email).toBe(f.email);
    const described = await introspect(tokens.access_token);
    expect(described).toMatchObject({
      active: true,
      sub: f.userUid,
      client_id: f.clientId,
      scope: "openid profile email",
      token_type: "Bearer",
    });
    expect(described.exp).toBe(payload.exp);

    await oidc.tokenRevocation(config, tokens.access_token);
    expect((await introspect(tokens.access_token)).active).toBe(false);
    expect(await oauthError(oidc.fetchUserInfo(config, tokens.access_token, f.userUid))).toBe("invalid_token");
  });

  it("for the pool's API (resource=<issuer>) carry its custom scopes, and are introspectable and revocable", async () => {
    const tokens = await codeFlowTokens({ scope: "openid api.read", resource: f.issuer }, { resource: f.issuer });
    const { payload } = await verifyAsResourceServer(tokens.access_token);
    expect(payload).toMatchObject({ aud: f.issuer, sub: f.userUid, scope: "api.read" });
    expect(await introspect(tokens.access_token)).toMatchObject({ active: true, aud: f.issuer, scope: "api.read" });
    // An API token is not for userinfo: it carries no openid scope (RFC 6750 §3.1).
    expect(await oauthError(oidc.fetchUserInfo(config, tokens.access_token, f.userUid))).toBe("insufficient_scope");
    await oidc.tokenRevocation(config, tokens.access_token);
    expect((await introspect(tokens.access_token)).active).toBe(false);
  });

  it("of client_credentials are stateless JWTs for the pool's API: introspectable until they expire, not revocable", async () => {
    const tokens = await oidc.clientCredentialsGrant(config, { scope: "api.read" });
    const { payload } = await verifyAsResourceServer(tokens.access_token);
    expect(payload).toMatchObject({ sub: f.clientId, client_id: f.clientId, scope: "api.read" });
    expect(await introspect(tokens.access_token)).toMatchObject({
      active: true,
      client_id: f.clientId,
      scope: "api.read",
      exp: payload.exp,
    });
    // Nothing is stored per token, so nothing can end one early: RFC 7009's answer for that.
    expect(await oauthError(oidc.tokenRevocation(config, tokens.access_token))).toBe("unsupported_token_type");
    expect((await introspect(tokens.access_token)).active).toBe(true);
    const stored = await svc.deps.db
      .selectFrom("sign_in_artifacts")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("account_id", "=", svc.accountId)
      .where("kind", "=", "ClientCredentials")
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(0);
    // A tampered one is nothing; an expired one is inactive (the service's clock an hour on).
    const [h, b, sig] = tokens.access_token.split(".");
    const widened = Buffer.from(JSON.stringify({ ...payload, scope: "api.read api.write" })).toString("base64url");
    expect((await introspect(`${h}.${widened}.${sig}`)).active).toBe(false);
    svc.clock.advance(3700);
    try {
      expect((await introspect(tokens.access_token)).active).toBe(false);
    } finally {
      svc.clock.advance(-3700);
    }
    expect(b).toBeTruthy();
  });

  it("nothing but the JWT itself finds a token", async () => {
    const tokens = await codeFlowTokens();
    const { jti } = decodeJwt(tokens.access_token) as { jti: string };
    const [header, body] = tokens.access_token.split(".");
    const claims = JSON.parse(Buffer.from(body!, "base64url").toString()) as Record<string, unknown>;
    const forged = [
      jti, // the stored token's id, bare
      `x~${tokens.access_token}`, // the shape of the internal lookup form, with a guessed marker
      `${header}.${Buffer.from(JSON.stringify({ ...claims, scope: "openid" })).toString("base64url")}.${tokens.access_token.split(".")[2]}`,
      `${header}.${body}.`, // signature stripped
      tokens.id_token!, // another JWT of the pool
    ];
    for (const token of forged) {
      expect((await introspect(token)).active, token).toBe(false);
      expect(await oauthError(oidc.fetchUserInfo(config, token, f.userUid)), token).toBe("invalid_token");
    }
    // Revoking any of them is answered as RFC 7009 says (200) and ends nothing.
    for (const token of forged) await oidc.tokenRevocation(config, token);
    expect((await introspect(tokens.access_token)).active).toBe(true);
  });
});
