// The sign-in client policy on its own (src/oauth-credentials/client-policy.ts): what each kind of
// client may do, the normalized record field by field, and exact redirect URI matching. No database,
// so the mutation run covers it.
import { describe, expect, it } from "vitest";
import { ACCESS_TOKEN_LIFETIME_SECONDS, grantsOf, matchRegisteredUri, signInClientOf } from "../../src/oauth-credentials/client-policy.js";

const row = {
  account_id: "2100000001", user_pool_uid: "pool-1", client_api_identifier: "c1", name: "web", logo_uri: null as string | null,
  client_type: "WEB" as const, grant_type: "authorization_code" as const, scopes: ["openid", "offline_access"], service_id: null as string | null,
  redirect_uris: ["https://a.example.com/cb"], allowed_logout_urls: ["https://a.example.com/out"], allowed_web_origins: ["https://a.example.com"],
  allowed_cors: ["https://b.example.com"], id_token_lifetime_seconds: 600, refresh_token_rotation: false,
  refresh_token_has_idle_lifetime: false, refresh_token_idle_lifetime_seconds: 1000, refresh_token_has_combined_lifetime: false,
  refresh_token_combined_lifetime_seconds: 2000, development_mode_enabled: false, dismiss_login_page_enabled: false,
  skip_consent_enabled: false, device_flow_enabled: false, updated_at: new Date("2026-01-01T00:00:00Z"),
};

describe("grantsOf", () => {
  it("gives confidential authorization_code clients every grant, single_sign_on and public clients no client_credentials", () => {
    expect(grantsOf("WEB", "authorization_code")).toEqual(["authorization_code", "refresh_token", "client_credentials"]);
    expect(grantsOf("WEB", "single_sign_on")).toEqual(["authorization_code", "refresh_token"]);
    expect(grantsOf("SPA", "authorization_code")).toEqual(["authorization_code", "refresh_token"]);
    expect(grantsOf("NATIVE", "single_sign_on")).toEqual(["authorization_code", "refresh_token"]);
  });
});

describe("signInClientOf", () => {
  it("maps every column of a confidential client", () => {
    expect(signInClientOf(row, true)).toEqual({
      accountId: "2100000001", poolUid: "pool-1", clientId: "c1", name: "web", logoUri: "", type: "WEB", grantType: "authorization_code",
      confidential: true, tokenEndpointAuthMethods: ["client_secret_basic", "client_secret_post"], pkceRequired: false,
      grantTypes: ["authorization_code", "refresh_token", "client_credentials"],
      redirectUris: ["https://a.example.com/cb"], logoutUris: ["https://a.example.com/out"], webOrigins: ["https://a.example.com"], corsOrigins: ["https://b.example.com"],
      idTokenLifetimeSeconds: 600, accessTokenLifetimeSeconds: 3600,
      refreshToken: { enabled: true, rotation: false, idleLifetimeSeconds: null, absoluteLifetimeSeconds: null },
      skipConsent: false, enabled: true, scopes: ["openid", "offline_access"], serviceId: null, developmentMode: false, dismissLoginPage: false,
      updatedAt: new Date("2026-01-01T00:00:00Z"),
    });
    expect(ACCESS_TOKEN_LIFETIME_SECONDS).toBe(3600);
  });
  it("makes SPA and NATIVE clients public with PKCE required", () => {
    for (const client_type of ["SPA", "NATIVE"] as const) {
      expect(signInClientOf({ ...row, client_type }, true)).toMatchObject({ confidential: false, tokenEndpointAuthMethods: ["none"], pkceRequired: true, grantTypes: ["authorization_code", "refresh_token"] });
    }
  });
  it("carries the switches, lifetimes and pool state as set", () => {
    const c = signInClientOf(
      {
        ...row, logo_uri: "https://a.example.com/l.png", scopes: ["openid"], service_id: "7", refresh_token_rotation: true,
        refresh_token_has_idle_lifetime: true, refresh_token_has_combined_lifetime: true, development_mode_enabled: true,
        dismiss_login_page_enabled: true, skip_consent_enabled: true,
      },
      false,
    );
    expect(c).toMatchObject({
      logoUri: "https://a.example.com/l.png", serviceId: "7", developmentMode: true, dismissLoginPage: true, skipConsent: true, enabled: false,
      refreshToken: { enabled: false, rotation: true, idleLifetimeSeconds: 1000, absoluteLifetimeSeconds: 2000 },
    });
  });
  it("copies the lists, so a change to the record never reaches the row", () => {
    const c = signInClientOf(row, true);
    c.redirectUris.push("x");
    c.logoutUris.push("x");
    c.webOrigins.push("x");
    c.corsOrigins.push("x");
    c.scopes.push("x");
    expect([row.redirect_uris, row.allowed_logout_urls, row.allowed_web_origins, row.allowed_cors, row.scopes].map((l) => l.length)).toEqual([1, 1, 1, 1, 2]);
  });
});

describe("matchRegisteredUri", () => {
  const registered = ["https://App.Example.com:443/cb?x=1", "http://127.0.0.1:8080/cb", "com.example.app:/oauth", "https://a.example.com"];
  it("matches after serialization and answers with the registered spelling", () => {
    expect(matchRegisteredUri(registered, "https://app.example.com/cb?x=1")).toBe("https://App.Example.com:443/cb?x=1");
    expect(matchRegisteredUri(registered, "HTTPS://APP.EXAMPLE.COM/cb?x=1")).toBe("https://App.Example.com:443/cb?x=1");
    expect(matchRegisteredUri(registered, "http://127.0.0.1:8080/cb")).toBe("http://127.0.0.1:8080/cb");
    expect(matchRegisteredUri(registered, "com.example.app:/oauth")).toBe("com.example.app:/oauth");
    expect(matchRegisteredUri(registered, "https://a.example.com/")).toBe("https://a.example.com");
  });
  it.each([
    ["another path", "https://app.example.com/cb2?x=1"],
    ["a prefix", "https://app.example.com/cb"],
    ["another query", "https://app.example.com/cb?x=2"],
    ["a longer path", "https://app.example.com/cb/../cb/x?x=1"],
    ["another loopback port", "http://127.0.0.1:9090/cb"],
    ["http for an https registration", "http://app.example.com/cb?x=1"],
    ["a fragment", "https://app.example.com/cb?x=1#f"],
    ["credentials", "https://u:p@app.example.com/cb?x=1"],
    ["a relative URI", "/cb"],
    ["an empty string", ""],
    ["whitespace", " https://a.example.com"],
    ["javascript:", "javascript:alert(1)"],
  ])("refuses %s", (_name, uri) => {
    expect(matchRegisteredUri(registered, uri)).toBeUndefined();
  });
  it("matches nothing against a registration that breaks today's rules, nor an empty list", () => {
    expect(matchRegisteredUri(["http://app.example.com/cb"], "http://app.example.com/cb")).toBeUndefined();
    expect(matchRegisteredUri([], "https://a.example.com")).toBeUndefined();
  });
});
