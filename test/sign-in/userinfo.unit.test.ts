// The checks and the claim release of userinfo's usual request (src/sign-in/userinfo-checks.ts), alone: each
// must accept only what oidc-provider's userinfo accepts (a token it would refuse, or one it answers
// in another way, goes to the library), and release the claims the library's Claims mask would.
// test/sign-in/userinfo-usual.test.ts compares whole answers with the library's on a real pool.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grantedScope, grantPasses, released, sessionPasses, tokenPasses, usualBearer } from "../../src/sign-in/userinfo-checks.js";

const NOW = 1_800_000_000;
const token = (over: Record<string, unknown> = {}) => ({
  jti: "j",
  iat: NOW - 10,
  exp: NOW + 3600,
  kind: "AccessToken",
  clientId: "client",
  accountId: "user",
  grantId: "grant",
  sessionUid: "session",
  expiresWithSession: true,
  gty: "authorization_code",
  scope: "openid profile",
  ...over,
});
const session = (over: Record<string, unknown> = {}) => ({
  accountId: "user",
  authorizations: { client: { grantId: "grant", sid: "s" } },
  ...over,
});
const grant = (over: Record<string, unknown> = {}) => ({
  exp: NOW + 100,
  clientId: "client",
  accountId: "user",
  openid: { scope: "openid profile email" },
  ...over,
});

describe("tokenPasses", () => {
  it("accepts a stored opaque access token granted openid, unexpired", () => {
    expect(tokenPasses(token(), NOW)).toBe(true);
    expect(tokenPasses(token({ format: "opaque" }), NOW)).toBe(true);
    expect(tokenPasses(token({ iat: undefined }), NOW)).toBe(true);
  });

  it.each([
    ["expired", { exp: NOW }],
    ["no exp", { exp: undefined }],
    ["exp not a number", { exp: String(NOW + 10) }],
    ["not yet valid", { nbf: NOW - 1 }],
    ["iat not a number", { iat: "1" }],
    ["another format", { format: "jwt" }],
    ["a jwt member", { jwt: "x" }],
    ["a jwt-ietf member", { "jwt-ietf": "x" }],
    ["a paseto member", { paseto: "x" }],
    ["bound to a DPoP key", { jkt: "thumbprint" }],
    ["bound to a certificate", { "x5t#S256": "thumbprint" }],
    ["with an audience", { aud: "https://api.example.com" }],
    ["with requested claims", { claims: { userinfo: { email: null } } }],
    ["without openid", { scope: "profile email" }],
    ["openid only as part of a word", { scope: "openidx profile" }],
    ["no scope", { scope: undefined }],
    ["no client", { clientId: undefined }],
    ["no account", { accountId: undefined }],
    ["no grant", { grantId: undefined }],
  ])("refuses one %s", (_name, over) => {
    expect(tokenPasses(token(over), NOW)).toBe(false);
  });
});

describe("sessionPasses (the library's checkSessionBinding)", () => {
  it("needs no session for a token that does not end with it", () => {
    expect(sessionPasses(token({ expiresWithSession: false }), undefined)).toBe(true);
    expect(sessionPasses(token({ expiresWithSession: undefined }), undefined)).toBe(true);
  });

  it("needs the session, of the token's account, naming the token's grant for its client", () => {
    expect(sessionPasses(token(), session())).toBe(true);
    expect(sessionPasses(token(), undefined)).toBe(false);
    expect(sessionPasses(token(), session({ accountId: "someone else" }))).toBe(false);
    expect(sessionPasses(token(), session({ authorizations: { client: { grantId: "a newer grant" } } }))).toBe(false);
    expect(sessionPasses(token(), session({ authorizations: { other: { grantId: "grant" } } }))).toBe(false);
    expect(sessionPasses(token(), session({ authorizations: undefined }))).toBe(false);
    // An inherited member is not an authorization.
    expect(sessionPasses(token({ clientId: "toString" }), session())).toBe(false);
  });
});

describe("grantPasses (the library's loadAccessTokenGrant)", () => {
  it("needs the grant unexpired, of the token's client and account, with nothing rejected", () => {
    expect(grantPasses(token(), grant(), NOW)).toBe(true);
    expect(grantPasses(token(), undefined, NOW)).toBe(false);
    expect(grantPasses(token(), grant({ exp: NOW }), NOW)).toBe(false);
    expect(grantPasses(token(), grant({ exp: undefined }), NOW)).toBe(false);
    expect(grantPasses(token(), grant({ clientId: "other" }), NOW)).toBe(false);
    expect(grantPasses(token(), grant({ accountId: "other" }), NOW)).toBe(false);
    expect(grantPasses(token(), grant({ rejected: { openid: { claims: ["email"] } } }), NOW)).toBe(false);
  });
});

describe("grantedScope (Grant#getOIDCScopeFiltered)", () => {
  it("keeps the grant's OpenID scopes the token carries, in the grant's order", () => {
    expect(grantedScope(grant({ openid: { scope: "openid email profile" } }), token({ scope: "profile openid offline_access" }))).toBe(
      "openid profile",
    );
    expect(grantedScope(grant({ openid: undefined }), token())).toBe("");
    expect(grantedScope(grant({ openid: { claims: ["email"] } }), token({ scope: "openid was here" }))).toBe("");
  });

  it("is the library's filter for any scopes", () => {
    const scope = fc.uniqueArray(fc.constantFrom("openid", "profile", "email", "phone", "groups", "offline_access"), { minLength: 1 });
    fc.assert(
      fc.property(scope, scope, (granted, carried) => {
        const carriedSet = new Set(carried);
        const expected = granted.filter((s) => carriedSet.has(s)).join(" ");
        expect(grantedScope(grant({ openid: { scope: granted.join(" ") } }), token({ scope: carried.join(" ") }))).toBe(expected);
      }),
    );
  });
});

describe("released (helpers/claims.js's mask by scope)", () => {
  const byScope = { openid: ["sub"], profile: ["name", "given_name"], email: ["email", "email_verified"] };

  it("releases the claims the scopes name, in the order they name them, and only those available", () => {
    const available = { email: "a@example.com", email_verified: true, name: "Ada", sub: "u", phone_number: "+1", given_name: undefined };
    const out = released(available, "email openid", byScope);
    expect(out).toEqual({ email: "a@example.com", email_verified: true, sub: "u" });
    expect(Object.keys(out)).toEqual(["email", "email_verified", "sub"]);
    expect(Object.keys(released(available, "openid profile", byScope))).toEqual(["sub", "name", "given_name"]);
    expect(released(available, "toString constructor", byScope)).toEqual({});
  });

  it("leaves out a claim the scope names that the user has not", () => {
    const out = released({ sub: "u", name: "Ada" }, "openid profile email", byScope);
    expect(out).toStrictEqual({ sub: "u", name: "Ada" });
    expect(Object.keys(out)).toEqual(["sub", "name"]);
  });

  it("releases a claim once, where the first scope naming it puts it", () => {
    const twice = { openid: ["sub", "email"], email: ["email", "email_verified"] };
    const out = released({ email_verified: true, email: "a@example.com", sub: "u" }, "email openid", twice);
    expect(Object.keys(out)).toEqual(["email", "email_verified", "sub"]);
  });
});

describe("usualBearer", () => {
  const jwt = "eyJh.eyJz.c2ln";
  const request = (over: { method?: string; url?: string; headers?: Record<string, string> } = {}) => ({
    method: over.method ?? "GET",
    url: over.url ?? "/userpool/p/oauth2/userinfo",
    header: (name: string) => ({ authorization: `Bearer ${jwt}`, ...over.headers })[name],
  });

  it("takes the bearer JWT of a plain GET", () => {
    expect(usualBearer(request())).toBe(jwt);
    expect(usualBearer(request({ headers: { "content-length": "0" } }))).toBe(jwt);
  });

  it.each([
    ["a POST", { method: "POST" }],
    ["a query", { url: "/userpool/p/oauth2/userinfo?x=1" }],
    ["an empty query", { url: "/userpool/p/oauth2/userinfo?" }],
    ["a DPoP proof", { headers: { dpop: "proof" } }],
    ["an Origin", { headers: { origin: "https://app.example.com" } }],
    ["a body", { headers: { "content-length": "12" } }],
    ["a chunked body", { headers: { "transfer-encoding": "chunked" } }],
    ["another scheme", { headers: { authorization: `DPoP ${jwt}` } }],
    ["a lower-case scheme", { headers: { authorization: `bearer ${jwt}` } }],
    ["a word before the scheme", { headers: { authorization: `Token Bearer ${jwt}` } }],
    ["no Authorization header", { headers: { authorization: undefined as unknown as string } }],
    ["two spaces", { headers: { authorization: `Bearer  ${jwt}` } }],
    ["not a JWT", { headers: { authorization: "Bearer opaque-value" } }],
    ["a JWT with a trailing part", { headers: { authorization: `Bearer ${jwt}.x` } }],
  ])("leaves %s to the library", (_name, over) => {
    expect(usualBearer(request(over))).toBeUndefined();
  });
});
