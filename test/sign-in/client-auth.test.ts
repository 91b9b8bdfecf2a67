// Sign-in's client store (src/oauth-credentials/client-auth.ts) against the real database: both faces
// of one client found by the same client_id and normalized per docs/sign-in.md "Clients", another
// pool's client unknown, and the client secret check (right, wrong, public, another pool's, reset).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findSignInClient, verifyClientSecret } from "../../src/oauth-credentials/client-auth.js";
import { startTestService, type TestService } from "../support/harness.js";
import { createClient } from "../support/families/user-pool-clients.js";
import { createCredential } from "../support/families/oauth-credentials.js";
import { createPool } from "../support/families/user-pools.js";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

const find = (pool: string, clientId: string) => findSignInClient(svc.deps, svc.accountId, pool, clientId);

describe("findSignInClient", () => {
  it("normalizes a WEB UserPoolClient: confidential, every grant, its URLs, lifetimes and switches", async () => {
    const client = await createClient(svc);
    await svc.ok("UpdateUserPoolClient", {
      UserPoolUid: client.UserPoolUid, ClientUid: client.Uid,
      AllowedLogoutUrls: ["https://shop.example.com/bye"],
      AllowedWebOrigins: ["https://shop.example.com"],
      IdToken: { LifeTimeSeconds: 900 },
      SkipConsentEnabled: true,
      RefreshToken: { Rotation: true, HasIdleLifetime: true, IdleLifetimeSeconds: 3600, HasCombinedLifetime: false },
    });
    const found = await find(client.UserPoolUid, client.Uid);
    expect(found).toMatchObject({
      accountId: svc.accountId, poolUid: client.UserPoolUid, clientId: client.Uid, name: "shop web", type: "WEB", grantType: "authorization_code",
      confidential: true, tokenEndpointAuthMethods: ["client_secret_basic", "client_secret_post"], pkceRequired: false,
      grantTypes: ["authorization_code", "refresh_token", "client_credentials"],
      redirectUris: ["https://shop.example.com/cb"], logoutUris: ["https://shop.example.com/bye"], webOrigins: ["https://shop.example.com"],
      idTokenLifetimeSeconds: 900, accessTokenLifetimeSeconds: 3600,
      refreshToken: { enabled: true, rotation: true, idleLifetimeSeconds: 3600, absoluteLifetimeSeconds: null },
      skipConsent: true, enabled: true, scopes: ["openid", "profile", "email", "phone", "address", "offline_access"],
    });
    // The hash of the secret is no part of the record.
    expect(Object.keys(found!).filter((k) => /secret|hash/i.test(k))).toEqual([]);
    expect(JSON.stringify(found)).not.toContain(client.ClientSecret);
  });

  it("normalizes SPA and NATIVE clients as public: PKCE required, no secret, no client_credentials", async () => {
    const pool = await createPool(svc);
    for (const type of ["SPA", "NATIVE"]) {
      const client = await createClient(svc, pool, { ClientType: type, AllowedCallbackUrls: ["com.example.app:/cb"] });
      expect(await find(pool, client.Uid)).toMatchObject({
        type, confidential: false, tokenEndpointAuthMethods: ["none"], pkceRequired: true, grantTypes: ["authorization_code", "refresh_token"],
        redirectUris: ["com.example.app:/cb"],
      });
    }
  });

  it("finds an OAuth credential by its ClientApiIdentifier: its GrantType, its scopes (custom ones included)", async () => {
    const pool = await createPool(svc, { CustomScopes: ["orders.read"] });
    const code = await createCredential(svc, pool, { Scope: "openid orders.read" });
    expect(await find(pool, code.ClientApiIdentifier)).toMatchObject({
      clientId: code.ClientApiIdentifier, type: "WEB", grantType: "authorization_code", confidential: true,
      grantTypes: ["authorization_code", "refresh_token", "client_credentials"], scopes: ["openid", "orders.read"],
      redirectUris: ["https://app.example.com/callback"], refreshToken: { enabled: false },
    });
    const sso = await createCredential(svc, pool, { GrantType: "single_sign_on", ServiceId: 42, Scope: "openid offline_access" });
    expect(await find(pool, sso.ClientApiIdentifier)).toMatchObject({
      grantType: "single_sign_on", confidential: true, grantTypes: ["authorization_code", "refresh_token"], serviceId: "42", refreshToken: { enabled: true },
    });
  });

  it("is the same client through both faces: a change through one shows through the other", async () => {
    const pool = await createPool(svc);
    const credential = await createCredential(svc, pool);
    await svc.ok("UpdateUserPoolClient", { UserPoolUid: pool, ClientUid: credential.ClientApiIdentifier, AllowedLogoutUrls: ["https://app.example.com/out"] });
    expect((await find(pool, credential.ClientApiIdentifier))?.logoutUris).toEqual(["https://app.example.com/out"]);
  });

  it("knows no other pool's or account's client, nor unknown or oversized ids; a disabled pool's client is not enabled", async () => {
    const client = await createClient(svc);
    const otherPool = await createPool(svc);
    expect(await find(otherPool, client.Uid)).toBeUndefined();
    expect(await findSignInClient(svc.deps, svc.otherAdmin.accountId, client.UserPoolUid, client.Uid)).toBeUndefined();
    expect(await find(client.UserPoolUid, "0".repeat(32))).toBeUndefined();
    expect(await find(client.UserPoolUid, "")).toBeUndefined();
    expect(await find(client.UserPoolUid, "x".repeat(129))).toBeUndefined();
    await svc.ok("UpdateEnableUserPool", { UserPoolUid: client.UserPoolUid, Enabled: false });
    expect((await find(client.UserPoolUid, client.Uid))?.enabled).toBe(false);
  });
});

describe("verifyClientSecret", () => {
  it("accepts the client's secret and refuses a wrong one, within the client's pool only", async () => {
    const client = await createClient(svc);
    const within = { accountId: svc.accountId, poolUid: client.UserPoolUid };
    expect(await verifyClientSecret(svc.deps, client.Uid, client.ClientSecret, within)).toBe(true);
    expect(await verifyClientSecret(svc.deps, client.Uid, client.ClientSecret)).toBe(true);
    expect(await verifyClientSecret(svc.deps, client.Uid, `${client.ClientSecret}x`, within)).toBe(false);
    expect(await verifyClientSecret(svc.deps, client.Uid, "", within)).toBe(false);
    expect(await verifyClientSecret(svc.deps, client.Uid, client.ClientSecret, { ...within, poolUid: await createPool(svc) })).toBe(false);
    expect(await verifyClientSecret(svc.deps, client.Uid, client.ClientSecret, { ...within, accountId: svc.otherAdmin.accountId })).toBe(false);
    expect(await verifyClientSecret(svc.deps, "0".repeat(32), client.ClientSecret)).toBe(false);
    expect(await verifyClientSecret(svc.deps, client.Uid, "s".repeat(1025))).toBe(false);
  });
  it("refuses everything for a public client, and the old secret after a reset", async () => {
    const pool = await createPool(svc);
    const spa = await createClient(svc, pool, { ClientType: "SPA" });
    expect(await verifyClientSecret(svc.deps, spa.Uid, "")).toBe(false);
    expect(await verifyClientSecret(svc.deps, spa.Uid, "anything")).toBe(false);
    const web = await createClient(svc, pool);
    const reset = await svc.ok("UpdateUserPoolClient", { UserPoolUid: pool, ClientUid: web.Uid, ResetSecret: true });
    expect(await verifyClientSecret(svc.deps, web.Uid, web.ClientSecret)).toBe(false);
    expect(await verifyClientSecret(svc.deps, web.Uid, reset.ClientSecret)).toBe(true);
  });
});
