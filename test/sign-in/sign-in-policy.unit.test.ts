// Sign-in's own code around oidc-provider, without a provider or a database: a client record as the
// library's client metadata (src/sign-in/clients.ts), the PKCE, refresh-token, introspection and
// revocation decisions (token-policy.ts), and what the adapter stores of an artifact and gives back
// (artifact-payload.ts). The protocol itself is the library's and is tested end to end in flow.test.ts
// and refusals.test.ts. In the unit set the mutation run (stryker.config.mjs) reruns.
import { describe, expect, it } from "vitest";
import type { SignInClient } from "../../src/oauth-credentials/client-policy.js";
import { FALLBACK_TTL_SECONDS, expiryOf, hashId, lookupColumns, revived, storedPayload } from "../../src/sign-in/artifact-payload.js";
import { PLACEHOLDER_SECRET, STANDARD_SCOPES, clientMetadata, corsAllowed } from "../../src/sign-in/clients.js";
import { TTL, mayIntrospect, pkceRequired, refreshTtl, revocation, rotatesRefreshToken } from "../../src/sign-in/token-policy.js";

const web: SignInClient = {
  accountId: "2100000001",
  poolUid: "pool-1",
  clientId: "c-web",
  name: "Shop",
  logoUri: "https://shop.example.com/logo.png",
  type: "WEB",
  grantType: "authorization_code",
  confidential: true,
  tokenEndpointAuthMethods: ["client_secret_basic", "client_secret_post"],
  pkceRequired: false,
  grantTypes: ["authorization_code", "refresh_token", "client_credentials"],
  redirectUris: ["https://shop.example.com/cb"],
  logoutUris: ["https://shop.example.com/bye"],
  webOrigins: [],
  corsOrigins: [],
  idTokenLifetimeSeconds: 600,
  accessTokenLifetimeSeconds: 3600,
  refreshToken: { enabled: true, rotation: false, idleLifetimeSeconds: null, absoluteLifetimeSeconds: null },
  skipConsent: false,
  enabled: true,
  scopes: ["openid", "email", "offline_access"],
  serviceId: null,
  developmentMode: false,
  dismissLoginPage: false,
  updatedAt: new Date("2026-01-01T00:00:00Z"),
};
const spa: SignInClient = {
  ...web,
  clientId: "c-spa",
  name: "",
  logoUri: "",
  type: "SPA",
  confidential: false,
  tokenEndpointAuthMethods: ["none"],
  pkceRequired: true,
  grantTypes: ["authorization_code", "refresh_token"],
  scopes: [],
};

describe("client metadata", () => {
  it("spells a confidential web client with its secret placeholder, grants, URIs and scopes", () => {
    expect(clientMetadata(web, ["orders.read"])).toEqual({
      client_id: "c-web",
      client_name: "Shop",
      logo_uri: "https://shop.example.com/logo.png",
      application_type: "web",
      token_endpoint_auth_method: "client_secret_basic",
      client_secret: PLACEHOLDER_SECRET,
      grant_types: ["authorization_code", "refresh_token", "client_credentials"],
      response_types: ["code"],
      redirect_uris: ["https://shop.example.com/cb"],
      post_logout_redirect_uris: ["https://shop.example.com/bye"],
      scope: "openid email offline_access orders.read",
      id_token_signed_response_alg: "ES256",
    });
    expect(PLACEHOLDER_SECRET).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("spells a public client without a secret, name or logo, with every standard scope when it names none", () => {
    expect(clientMetadata(spa, [])).toEqual({
      client_id: "c-spa",
      client_name: undefined,
      application_type: "web",
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      redirect_uris: ["https://shop.example.com/cb"],
      post_logout_redirect_uris: ["https://shop.example.com/bye"],
      scope: "openid profile email phone offline_access",
      id_token_signed_response_alg: "ES256",
    });
    expect(STANDARD_SCOPES).toEqual(["openid", "profile", "email", "phone", "offline_access"]);
  });

  it("makes a NATIVE client a native application", () => {
    expect(clientMetadata({ ...spa, type: "NATIVE" }, []).application_type).toBe("native");
  });

  it("leaves a client with nowhere to return to only client_credentials and no response types", () => {
    const m = clientMetadata({ ...web, redirectUris: [] }, []);
    expect(m.grant_types).toEqual(["client_credentials"]);
    expect(m.response_types).toEqual([]);
    expect(m.redirect_uris).toEqual([]);
    expect(clientMetadata({ ...spa, redirectUris: [] }, []).grant_types).toEqual([]);
  });

  it("keeps only standard scopes of the client's own, openid always first, and every custom scope once", () => {
    const m = clientMetadata({ ...web, scopes: ["email", "address", "orders.read", "email"] }, ["orders.read", "orders.write"]);
    expect(m.scope).toBe("openid email orders.read orders.write");
    expect(clientMetadata({ ...web, scopes: ["custom"] }, []).scope).toBe("openid profile email phone offline_access");
    expect(clientMetadata({ ...web, scopes: ["phone", "openid"] }, []).scope).toBe("openid phone");
  });
});

describe("CORS", () => {
  const listed = { ...web, corsOrigins: ["https://admin.example.com"] };
  it.each([
    [listed, "https://admin.example.com", "token", true],
    [listed, "https://admin.example.com", "introspection", true],
    [listed, "https://admin.example.com:444", "token", false],
    [listed, "http://admin.example.com", "token", false],
    [listed, "null", "token", false],
    [{ ...listed, corsOrigins: ["null"] }, "null", "token", false],
    // A callback URL's origin: the library's default, at userinfo or for a public client only.
    [listed, "https://shop.example.com", "token", false],
    [listed, "https://shop.example.com", "userinfo", true],
    [listed, "https://shop.example.com", undefined, false],
    [spa, "https://shop.example.com", "token", true],
    [spa, "https://other.example.com", "token", false],
    [{ ...spa, redirectUris: ["not a url", "https://shop.example.com/cb"] }, "https://shop.example.com", "token", true],
    [{ ...spa, redirectUris: ["not a url"] }, "null", "userinfo", false],
    [{ ...spa, redirectUris: ["com.example.app:/cb"] }, "null", "token", false],
  ] as const)("%#: %s at %s is allowed: %s", (client, origin, route, allowed) => {
    expect(corsAllowed(client, origin, route)).toBe(allowed);
  });
});

describe("PKCE and refresh tokens", () => {
  it("requires PKCE as the record says, and of a client it does not know", () => {
    expect(pkceRequired(spa)).toBe(true);
    expect(pkceRequired(web)).toBe(false);
    expect(pkceRequired(undefined)).toBe(true);
  });

  it("rotates a public client's refresh token always, others' as set", () => {
    expect(rotatesRefreshToken("none", web)).toBe(true);
    expect(rotatesRefreshToken("none", undefined)).toBe(true);
    expect(rotatesRefreshToken("client_secret_basic", web)).toBe(false);
    expect(rotatesRefreshToken("client_secret_basic", { ...web, refreshToken: { ...web.refreshToken, rotation: true } })).toBe(true);
    expect(rotatesRefreshToken("client_secret_post", undefined)).toBe(false);
    expect(rotatesRefreshToken(undefined, undefined)).toBe(false);
  });

  const lifetimes = (idle: number | null, combined: number | null): SignInClient => ({
    ...web,
    refreshToken: { ...web.refreshToken, idleLifetimeSeconds: idle, absoluteLifetimeSeconds: combined },
  });
  it.each([
    ["no client: 30 days", undefined, undefined, 1000, false, 30 * 86_400],
    ["no bounds: 30 days", lifetimes(null, null), undefined, 1000, true, 30 * 86_400],
    ["idle only", lifetimes(600, null), undefined, 1000, false, 600],
    ["idle only, rotating", lifetimes(600, null), 900, 1000, true, 600],
    ["combined only, first issue", lifetimes(null, 5000), undefined, 1000, false, 5000],
    ["combined only, later", lifetimes(null, 5000), 1000, 3000, false, 3000],
    ["both, not rotating: the combined bound", lifetimes(600, 5000), undefined, 1000, false, 5000],
    ["both, rotating: the idle bound", lifetimes(600, 5000), 1000, 1200, true, 600],
    ["both, rotating near the end: what is left", lifetimes(600, 5000), 1000, 5700, true, 300],
    ["past the combined bound: one second", lifetimes(600, 5000), 1000, 9000, true, 1],
    ["exactly at the combined bound: one second", lifetimes(null, 5000), 1000, 6000, false, 1],
    ["one second left", lifetimes(null, 5000), 1000, 5999, false, 1],
    ["two seconds left", lifetimes(null, 5000), 1000, 5998, false, 2],
  ] as const)("%s", (_name, client, issuedFirst, now, rotating, ttl) => {
    expect(refreshTtl(client, issuedFirst, now, rotating)).toBe(ttl);
  });

  it("keeps the library's lifetimes", () => {
    expect(TTL).toEqual({
      code: 60,
      accessToken: 3600,
      session: 14 * 86_400,
      interaction: 600,
      grant: 365 * 86_400,
      refreshDefault: 30 * 86_400,
    });
  });
});

describe("introspection and revocation", () => {
  const confidential = { clientId: "a", authMethod: "client_secret_basic" };
  const publicClient = { clientId: "a", authMethod: "none" };
  it("lets a confidential client introspect any token of the pool, a public one only its own", () => {
    expect(mayIntrospect(confidential, "b")).toBe(true);
    expect(mayIntrospect(confidential, undefined)).toBe(true);
    expect(mayIntrospect(publicClient, "a")).toBe(true);
    expect(mayIntrospect(publicClient, "b")).toBe(false);
    expect(mayIntrospect(publicClient, undefined)).toBe(false);
  });

  it("revokes a client's own tokens only; ignores a public client's try at another's, refuses a confidential one's", () => {
    expect(revocation(confidential, "a")).toBe("revoke");
    expect(revocation(publicClient, "a")).toBe("revoke");
    expect(revocation(publicClient, "b")).toBe("ignore");
    expect(revocation(confidential, "b")).toBe("refuse");
    expect(revocation({ clientId: "a", authMethod: undefined }, undefined)).toBe("refuse");
  });
});

describe("what the adapter stores and gives back", () => {
  it("stores the payload without its jti, and an Interaction's session without the cookie value", () => {
    const payload = { jti: "secret-code", grantId: "g1", session: { cookie: "sid", uid: "u1", acr: "x" }, scope: "openid" };
    expect(storedPayload("Interaction", payload)).toEqual({ grantId: "g1", session: { uid: "u1", acr: "x" }, scope: "openid" });
    expect(storedPayload("AuthorizationCode", payload)).toEqual({
      grantId: "g1",
      session: { cookie: "sid", uid: "u1", acr: "x" },
      scope: "openid",
    });
    expect(storedPayload("Interaction", { jti: "i", session: undefined })).toEqual({ session: undefined });
    expect(storedPayload("Interaction", { jti: "i", session: "s" } as never)).toEqual({ session: "s" });
    expect(payload.jti).toBe("secret-code");
    expect(payload.session.cookie).toBe("sid");
  });

  it("keeps the id only as SHA-256", () => {
    expect(hashId("abc").toString("hex")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hashId("é").toString("hex")).toBe("4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c");
  });

  it("expires an artifact after its lifetime, or after the fallback when it has none", () => {
    const now = new Date("2026-06-01T00:00:00Z");
    expect(expiryOf(now, 60)).toEqual(new Date("2026-06-01T00:01:00Z"));
    expect(expiryOf(now, 1)).toEqual(new Date("2026-06-01T00:00:01Z"));
    expect(expiryOf(now, 0)).toEqual(new Date(now.getTime() + FALLBACK_TTL_SECONDS * 1000));
    expect(expiryOf(now, -5)).toEqual(new Date(now.getTime() + FALLBACK_TTL_SECONDS * 1000));
    expect(FALLBACK_TTL_SECONDS).toBe(14 * 86_400);
  });

  it("indexes the grant, and a Session's uid", () => {
    expect(lookupColumns("Session", { grantId: "g", uid: "u" })).toEqual({ grant_id: "g", session_uid: "u" });
    expect(lookupColumns("AccessToken", { grantId: "g", uid: "u" })).toEqual({ grant_id: "g", session_uid: null });
    expect(lookupColumns("Session", { grantId: 7, uid: 8 } as never)).toEqual({ grant_id: null, session_uid: null });
    expect(lookupColumns("Session", {})).toEqual({ grant_id: null, session_uid: null });
  });

  it("gives an artifact back until its expiry, with its jti when found by id and when it was consumed", () => {
    const now = new Date("2026-06-01T00:00:00Z");
    const row = { payload: { grantId: "g" }, consumed_at: null, expires_at: new Date(now.getTime() + 1) };
    expect(revived("id-1", row, now)).toEqual({ grantId: "g", jti: "id-1" });
    expect(revived(undefined, row, now)).toEqual({ grantId: "g" });
    expect(revived("", row, now)).toEqual({ grantId: "g", jti: "" });
    expect(revived("id-1", { ...row, expires_at: now }, now)).toBeUndefined();
    expect(revived("id-1", { ...row, expires_at: new Date(now.getTime() - 1) }, now)).toBeUndefined();
    const consumed = { ...row, consumed_at: new Date("2026-05-31T23:59:58.999Z") };
    expect(revived("id-1", consumed, now)).toEqual({
      grantId: "g",
      jti: "id-1",
      consumed: Math.floor(consumed.consumed_at.getTime() / 1000),
    });
    expect(revived("id-1", consumed, now)?.consumed).toBe(1780271998);
  });
});
