// User pool clients end to end through the official SDK: each action, public clients without a
// secret, and "one client, two faces": a client made through CreateOAuthCredential is read, changed,
// rotated and deleted through the UserPoolClient actions and the other way round, with one secret,
// one quota (under concurrency) and one set of rules. Also tenancy, readonly keys, the cascade on
// pool delete, typed errors for bad URLs and lifetimes, and the secret kept out of results and logs.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyClientSecret } from "../../src/oauth-credentials/service.js";
import { userPoolClientActions } from "../../src/user-pool-clients/actions.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { createCredential } from "../support/families/oauth-credentials.js";
import { createClient, crossAccountCases } from "../support/families/user-pool-clients.js";
import { createPool } from "../support/families/user-pools.js";

const QUOTA = 4;
const outputOf = (name: string) => userPoolClientActions.find((a) => a.name === name)!.output;
let svc: TestService;
const verify = (clientId: string, secret: string) => verifyClientSecret(svc.deps, clientId, secret);
const ref = (c: { UserPoolUid: string; Uid: string }) => ({ UserPoolUid: c.UserPoolUid, ClientUid: c.Uid });
const get = (c: { UserPoolUid: string; Uid: string }) => svc.ok("GetUserPoolClient", ref(c));
const update = (c: { UserPoolUid: string; Uid: string }, fields: Record<string, unknown>) =>
  svc.call("UpdateUserPoolClient", { ...ref(c), ...fields });

beforeAll(async () => {
  svc = await startTestService({ env: { ID_QUOTA_CREDENTIALS_PER_POOL: String(QUOTA), ID_PUBLIC_BASE_URL: "https://id.example.com" } });
});
afterAll(() => svc.close());

describe("the UserPoolClient actions", () => {
  it("creates a WEB client with its secret once, and reads it back without it", async () => {
    const pool = await createPool(svc);
    const created = await createClient(svc, pool, {
      Description: "the shop",
      LogoUri: "https://cdn.example.com/l.png",
      DevelopmentModeEnabled: true,
      DeviceFlowEnabled: true,
    });
    const { UserPoolUid: _p, ...result } = created;
    outputOf("CreateUserPoolClient").parse(result);
    expect(created.ClientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.Uid).toMatch(/^[0-9a-f]{32}$/);
    const expected = {
      Uid: created.Uid,
      Name: "shop web",
      ClientType: "WEB",
      Description: "the shop",
      LogoUri: "https://cdn.example.com/l.png",
      ClientSecret: "******",
      AllowedCallbackUrls: ["https://shop.example.com/cb"],
      AllowedLogoutUrls: [],
      AllowedWebOrigins: [],
      AllowedCors: [],
      IdToken: { LifetimeSeconds: 3600 },
      RefreshToken: {
        Rotation: false,
        HasIdleLifetime: false,
        IdleLifetimeSeconds: 1296000,
        HasCombinedLifetime: false,
        CombinedLifetimeSeconds: 2592000,
      },
      LoginPageUrl: `https://id.example.com/userpool/${pool}/login?client_id=${created.Uid}`,
      DevelopmentModeEnabled: true,
      DismissLoginPageEnabled: false,
      SkipConsentEnabled: false,
      DeviceFlowEnabled: true,
      CreateTime: expect.any(String),
      UpdateTime: expect.any(String),
    };
    expect(result).toEqual({ ...expected, ClientSecret: created.ClientSecret });
    const got = await get(created);
    outputOf("GetUserPoolClient").parse(got);
    expect(got).toEqual(expected);
    expect(await verify(created.Uid, created.ClientSecret)).toBe(true);

    const list = await svc.ok("ListUserPoolClients", { UserPoolUid: pool, PageNumber: 1, PageSize: 10 });
    outputOf("ListUserPoolClients").parse(list);
    expect(list).toEqual({
      PageNumber: 1,
      PageSize: 10,
      TotalCount: 1,
      Data: [
        {
          Uid: created.Uid,
          Name: "shop web",
          ClientType: "WEB",
          Description: "the shop",
          LogoUri: "https://cdn.example.com/l.png",
          CreateTime: got.CreateTime,
          UpdateTime: got.UpdateTime,
        },
      ],
    });
    expect((await svc.ok("GetUserPool", { UserPoolUid: pool })).TotalClients).toBe(1);
    // The secret is in no result but Create's, in no log line, and not stored.
    for (const seen of [got, list]) expect(JSON.stringify(seen)).not.toContain(created.ClientSecret);
    expect(svc.logs.join("\n")).not.toContain(created.ClientSecret);
    const stored = await sql<Record<string, unknown>>`select * from oauth_credentials where client_api_identifier = ${created.Uid}`.execute(
      svc.deps.db,
    );
    expect(JSON.stringify(stored.rows)).not.toContain(created.ClientSecret);
  });

  it("updates the given fields, replaces lists, merges the token settings, and keeps UpdateTime when nothing changes", async () => {
    const c = await createClient(svc);
    svc.clock.advance(5);
    const updated = await svc.ok("UpdateUserPoolClient", {
      ...ref(c),
      Name: "renamed",
      AllowedCallbackUrls: ["https://a.example.com/cb", "com.example.app:/cb", "https://a.example.com/cb"],
      AllowedLogoutUrls: ["https://a.example.com/bye"],
      AllowedWebOrigins: ["https://a.example.com", "http://localhost:3000"],
      AllowedCors: ["https://b.example.com:8443"],
      // Upstream's request spells it LifeTimeSeconds, its result LifetimeSeconds: both are accepted.
      IdToken: { LifetimeSeconds: 600 },
      RefreshToken: { Rotation: true, HasIdleLifetime: true, IdleLifetimeSeconds: 86400 },
      SkipConsentEnabled: true,
      DismissLoginPageEnabled: true,
    });
    outputOf("UpdateUserPoolClient").parse(updated);
    expect(updated).toMatchObject({
      Name: "renamed",
      ClientSecret: "******",
      AllowedCallbackUrls: ["https://a.example.com/cb", "com.example.app:/cb"],
      AllowedLogoutUrls: ["https://a.example.com/bye"],
      AllowedWebOrigins: ["https://a.example.com", "http://localhost:3000"],
      AllowedCors: ["https://b.example.com:8443"],
      IdToken: { LifetimeSeconds: 600 },
      RefreshToken: {
        Rotation: true,
        HasIdleLifetime: true,
        IdleLifetimeSeconds: 86400,
        HasCombinedLifetime: false,
        CombinedLifetimeSeconds: 2592000,
      },
      SkipConsentEnabled: true,
      DismissLoginPageEnabled: true,
      DevelopmentModeEnabled: false,
    });
    expect(updated.UpdateTime > updated.CreateTime).toBe(true);
    const merged = await svc.ok("UpdateUserPoolClient", {
      ...ref(c),
      IdToken: { LifeTimeSeconds: 900 },
      RefreshToken: { HasCombinedLifetime: true },
      AllowedCors: [],
      LogoUri: "",
    });
    expect(merged).toMatchObject({
      IdToken: { LifetimeSeconds: 900 },
      RefreshToken: { Rotation: true, HasIdleLifetime: true, HasCombinedLifetime: true },
      AllowedCors: [],
      LogoUri: "",
      Name: "renamed",
    });
    svc.clock.advance(5);
    expect(await svc.ok("UpdateUserPoolClient", { ...ref(c), IdToken: {}, RefreshToken: {} })).toEqual(merged);
    expect(await get(c)).toEqual(merged);
  });

  it("lists a pool's clients with filters, sorting and paging", async () => {
    const pool = await createPool(svc);
    await createClient(svc, pool, { Name: "Beta Web", Description: "backend" });
    await createClient(svc, pool, { Name: "alpha spa", ClientType: "SPA", Description: "browser app" });
    await createClient(svc, pool, { Name: "gamma app", ClientType: "NATIVE" });
    const names = async (params: Record<string, unknown>) =>
      (await svc.ok("ListUserPoolClients", { UserPoolUid: pool, ...params })).Data.map((c: { Name: string }) => c.Name);
    expect(await names({})).toEqual(["gamma app", "alpha spa", "Beta Web"]);
    expect(await names({ SortField: "Name" })).toEqual(["Beta Web", "alpha spa", "gamma app"]);
    expect(await names({ SortField: "CreateTime", SortDirection: "Asc" })).toEqual(["Beta Web", "alpha spa", "gamma app"]);
    expect(await names({ Filter: { ClientTypes: ["SPA", "NATIVE"] } })).toEqual(["gamma app", "alpha spa"]);
    expect(await names({ Filter: { Name: "WEB" } })).toEqual(["Beta Web"]);
    expect(await names({ Filter: { Description: "app", ClientTypes: ["SPA"] } })).toEqual(["alpha spa"]);
    expect(await names({ Filter: { Name: "%" } })).toEqual([]);
    const page = await svc.ok("ListUserPoolClients", { UserPoolUid: pool, SortField: "Name", PageSize: 2, PageNumber: 2 });
    expect(page).toMatchObject({ PageNumber: 2, PageSize: 2, TotalCount: 3, Data: [{ Name: "gamma app" }] });
    expect(codeOf(await svc.call("ListUserPoolClients", { UserPoolUid: pool, Filter: { ClientTypes: ["M2M"] } }))).toBe(
      "InvalidParameter.Filter.ClientTypes",
    );
    expect(codeOf(await svc.call("ListUserPoolClients", { UserPoolUid: pool, SortField: "Secret" }))).toBe("InvalidParameter.SortField");
    expect(codeOf(await svc.call("ListUserPoolClients", { UserPoolUid: "no-such-pool" }))).toBe("NotFound");
  });

  it("deletes a client: its secret stops working, and it is NotFound after", async () => {
    const c = await createClient(svc);
    expect(await svc.ok("DeleteUserPoolClient", ref(c))).toEqual({ Message: `client ${c.Uid} deleted` });
    expect(await verify(c.Uid, c.ClientSecret)).toBe(false);
    for (const action of ["GetUserPoolClient", "DeleteUserPoolClient", "UpdateUserPoolClient"]) {
      const env = await svc.call(action, ref(c));
      expect(env.ResponseMetadata.Error).toMatchObject({ Code: "NotFound", Message: `resource UserPoolClient ${c.Uid} does not exist` });
    }
    expect((await svc.ok("GetUserPool", { UserPoolUid: c.UserPoolUid })).TotalClients).toBe(0);
  });

  it("gives public clients (SPA, NATIVE) no secret, and nothing to reset", async () => {
    for (const ClientType of ["SPA", "NATIVE"]) {
      const c = await createClient(svc, undefined, { ClientType });
      expect(c).toMatchObject({ ClientType, ClientSecret: "" });
      expect(await get(c)).toMatchObject({ ClientType, ClientSecret: "" });
      expect(await svc.ok("GetOAuthCredential", { ClientApiIdentifier: c.Uid })).toMatchObject({ ClientType, SecretVersion: 0 });
      expect(codeOf(await update(c, { ResetSecret: true }))).toBe("InvalidParameter.ResetSecret");
      expect(codeOf(await svc.call("UpdateOAuthCredential", { ClientApiIdentifier: c.Uid, ResetSecret: true }))).toBe(
        "InvalidParameter.ResetSecret",
      );
      const stored = await svc.deps.db
        .selectFrom("oauth_credentials")
        .select("secret_hash")
        .where("client_api_identifier", "=", c.Uid)
        .executeTakeFirstOrThrow();
      expect(stored.secret_hash).toBeNull();
      expect(await verify(c.Uid, "")).toBe(false);
    }
    // The type is fixed at create: upstream's update has no ClientType.
    const spa = await createClient(svc, undefined, { ClientType: "SPA" });
    expect(codeOf(await update(spa, { ClientType: "WEB" }))).toBe("InvalidParameter.ClientType");
  });
});

describe("one client, two faces", () => {
  it("a client created as an OAuth credential is read, changed, rotated and deleted as a user pool client", async () => {
    const pool = await createPool(svc);
    const cred = await createCredential(svc, pool, { Name: "legacy", Scope: "openid email", LogoUri: "https://cdn.example.com/x.png" });
    const c = { UserPoolUid: pool, Uid: cred.ClientApiIdentifier };
    expect(await get(c)).toMatchObject({
      Uid: cred.ClientApiIdentifier,
      Name: "legacy",
      ClientType: "WEB",
      ClientSecret: "******",
      AllowedCallbackUrls: ["https://app.example.com/callback"],
      LogoUri: "https://cdn.example.com/x.png",
    });
    expect((await svc.ok("ListUserPoolClients", { UserPoolUid: pool })).Data.map((d: { Uid: string }) => d.Uid)).toEqual([
      cred.ClientApiIdentifier,
    ]);

    await svc.ok("UpdateUserPoolClient", {
      ...ref(c),
      Name: "renamed",
      AllowedCallbackUrls: ["https://new.example.com/cb"],
      AllowedLogoutUrls: ["https://new.example.com/bye"],
    });
    expect(await svc.ok("GetOAuthCredential", { CredentialId: cred.CredentialId })).toMatchObject({
      Name: "renamed",
      RedirectUri: ["https://new.example.com/cb"],
      Scope: "openid email",
      GrantType: "authorization_code",
      SecretVersion: 1,
    });

    const rotated = await svc.ok("UpdateUserPoolClient", { ...ref(c), ResetSecret: true });
    expect(rotated.ClientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await verify(c.Uid, cred.ClientSecret)).toBe(false);
    expect(await verify(c.Uid, rotated.ClientSecret)).toBe(true);
    expect(await svc.ok("GetOAuthCredential", { CredentialId: cred.CredentialId })).toMatchObject({ SecretVersion: 2 });
    expect((await get(c)).ClientSecret).toBe("******");
    expect(svc.logs.join("\n")).not.toContain(rotated.ClientSecret);

    await svc.ok("DeleteUserPoolClient", ref(c));
    expect(codeOf(await svc.call("GetOAuthCredential", { CredentialId: cred.CredentialId }))).toBe("NotFound");
    expect(await verify(c.Uid, rotated.ClientSecret)).toBe(false);
  });

  it("a client created as a user pool client is read, changed, rotated and deleted as an OAuth credential", async () => {
    const c = await createClient(svc, undefined, { Description: "d" });
    const byId = { ClientApiIdentifier: c.Uid };
    const cred = await svc.ok("GetOAuthCredential", byId);
    expect(cred).toMatchObject({
      ClientApiIdentifier: c.Uid,
      UserPoolUid: c.UserPoolUid,
      Name: "shop web",
      Description: "d",
      GrantType: "authorization_code",
      ClientType: "WEB",
      Scope: "openid profile email phone address offline_access",
      RedirectUri: ["https://shop.example.com/cb"],
      SecretVersion: 1,
    });
    expect(JSON.stringify(cred)).not.toContain(c.ClientSecret);

    await svc.ok("UpdateOAuthCredential", {
      ...byId,
      Scope: "openid",
      RedirectUri: ["https://other.example.com/cb"],
      Name: "via credentials",
    });
    expect(await get(c)).toMatchObject({
      Name: "via credentials",
      AllowedCallbackUrls: ["https://other.example.com/cb"],
      Description: "d",
    });

    const rotated = await svc.ok("UpdateOAuthCredential", { ...byId, ResetSecret: true });
    expect(await verify(c.Uid, c.ClientSecret)).toBe(false);
    expect(await verify(c.Uid, rotated.NewClientSecret)).toBe(true);

    await svc.ok("DeleteOAuthCredential", byId);
    expect(codeOf(await svc.call("GetUserPoolClient", ref(c)))).toBe("NotFound");
    expect(await verify(c.Uid, rotated.NewClientSecret)).toBe(false);
  });

  it("holds both faces to one set of rules", async () => {
    const c = await createClient(svc);
    // Name is required of an authorization-code client, whichever face clears it.
    expect(codeOf(await update(c, { Name: "" }))).toBe("MissingParameter.Name");
    expect(codeOf(await svc.call("UpdateOAuthCredential", { ClientApiIdentifier: c.Uid, Name: "" }))).toBe("MissingParameter.Name");
    // One redirect-URI rule: what one face refuses, the other does too.
    for (const bad of ["http://example.com/cb", "https://*.example.com/cb", "https://a.example.com/cb#x", "javascript:alert(1)"]) {
      expect(codeOf(await update(c, { AllowedCallbackUrls: [bad] }))).toBe("InvalidParameter.AllowedCallbackUrls");
      expect(codeOf(await svc.call("UpdateOAuthCredential", { ClientApiIdentifier: c.Uid, RedirectUri: [bad] }))).toBe(
        "InvalidParameter.RedirectUri",
      );
    }
    expect(codeOf(await update(c, { LogoUri: "http://cdn.example.com/l.png" }))).toBe("InvalidParameter.LogoUri");
    expect(await get(c)).toMatchObject({ Name: "shop web", AllowedCallbackUrls: ["https://shop.example.com/cb"] });
  });

  it("concurrent resets through both faces leave exactly one valid secret", async () => {
    const c = await createClient(svc);
    const resets = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        i % 2
          ? svc.ok("UpdateUserPoolClient", { ...ref(c), ResetSecret: true }).then((r) => r.ClientSecret as string)
          : svc.ok("UpdateOAuthCredential", { ClientApiIdentifier: c.Uid, ResetSecret: true }).then((r) => r.NewClientSecret as string),
      ),
    );
    const valid = [];
    for (const secret of resets) if (await verify(c.Uid, secret)) valid.push(secret);
    expect(valid).toHaveLength(1);
    expect(await svc.ok("GetOAuthCredential", { ClientApiIdentifier: c.Uid })).toMatchObject({ SecretVersion: 9 });
  });

  it("shares one per-pool quota between the faces, under concurrent creates", async () => {
    const pool = await createPool(svc);
    await createCredential(svc, pool);
    await createClient(svc, pool);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        i % 2
          ? svc.call("CreateOAuthCredential", { UserPoolUid: pool, GrantType: "authorization_code", Scope: "openid", Name: `c${i}` })
          : svc.call("CreateUserPoolClient", { UserPoolUid: pool, Name: `u${i}`, ClientType: "SPA" }),
      ),
    );
    const codes = results.map(codeOf);
    expect(codes.filter((c) => c === "OK")).toHaveLength(QUOTA - 2);
    expect(codes.filter((c) => c !== "OK").every((c) => c === "QuotaExceeded")).toBe(true);
    expect((await svc.ok("ListUserPoolClients", { UserPoolUid: pool })).TotalCount).toBe(QUOTA);
    expect((await svc.ok("ListOAuthCredentials", { UserPoolUid: pool })).TotalCount).toBe(QUOTA);
    expect((await svc.ok("GetUserPool", { UserPoolUid: pool })).TotalClients).toBe(QUOTA);
  });
});

describe("typed errors", () => {
  it.each([
    ["no ClientType", { ClientType: undefined }, "MissingParameter.ClientType"],
    ["an unknown ClientType", { ClientType: "M2M" }, "InvalidParameter.ClientType"],
    ["no Name", { Name: undefined }, "MissingParameter.Name"],
    ["a blank Name", { Name: "  " }, "MissingParameter.Name"],
    ["a Name over 128", { Name: "n".repeat(129) }, "InvalidParameter.Name"],
    ["an http callback off loopback", { AllowedCallbackUrls: ["http://example.com/cb"] }, "InvalidParameter.AllowedCallbackUrls"],
    ["a relative callback", { AllowedCallbackUrls: ["/cb"] }, "InvalidParameter.AllowedCallbackUrls"],
    [
      "over 100 callbacks",
      { AllowedCallbackUrls: Array.from({ length: 101 }, (_, i) => `https://a.example.com/${i}`) },
      "InvalidParameter.AllowedCallbackUrls",
    ],
    ["a non-https logo", { LogoUri: "ftp://cdn.example.com/l.png" }, "InvalidParameter.LogoUri"],
    ["a field upstream's create does not take", { AllowedCors: ["https://a.example.com"] }, "InvalidParameter.AllowedCors"],
    ["a missing pool", { UserPoolUid: "no-such-pool" }, "NotFound"],
  ])("CreateUserPoolClient refuses %s", async (_what, fields, code) => {
    const env = await svc.call("CreateUserPoolClient", { UserPoolUid: await createPool(svc), Name: "n", ClientType: "WEB", ...fields });
    expect(codeOf(env)).toBe(code);
  });

  it.each([
    ["an ID token lifetime under a minute", { IdToken: { LifeTimeSeconds: 59 } }, "InvalidParameter.IdToken.LifeTimeSeconds"],
    ["an ID token lifetime over 30 days", { IdToken: { LifetimeSeconds: 2_592_001 } }, "InvalidParameter.IdToken.LifeTimeSeconds"],
    ["a fractional lifetime", { IdToken: { LifeTimeSeconds: 60.5 } }, "InvalidParameter.IdToken.LifeTimeSeconds"],
    [
      "a negative refresh idle lifetime",
      { RefreshToken: { IdleLifetimeSeconds: -1 } },
      "InvalidParameter.RefreshToken.IdleLifetimeSeconds",
    ],
    [
      "a refresh lifetime over a year",
      { RefreshToken: { CombinedLifetimeSeconds: 31_536_001 } },
      "InvalidParameter.RefreshToken.CombinedLifetimeSeconds",
    ],
    [
      "an idle lifetime above the combined one",
      { RefreshToken: { HasIdleLifetime: true, IdleLifetimeSeconds: 7200, HasCombinedLifetime: true, CombinedLifetimeSeconds: 3600 } },
      "InvalidParameter.RefreshToken.IdleLifetimeSeconds",
    ],
    ["an origin with a path", { AllowedWebOrigins: ["https://a.example.com/app"] }, "InvalidParameter.AllowedWebOrigins"],
    ["an origin with a trailing slash", { AllowedCors: ["https://a.example.com/"] }, "InvalidParameter.AllowedCors"],
    ["a wildcard origin", { AllowedCors: ["https://*.example.com"] }, "InvalidParameter.AllowedCors"],
    ["an http origin off loopback", { AllowedWebOrigins: ["http://a.example.com"] }, "InvalidParameter.AllowedWebOrigins"],
    ["a native-scheme origin", { AllowedWebOrigins: ["com.example.app://x"] }, "InvalidParameter.AllowedWebOrigins"],
    ["a logout URL with a fragment", { AllowedLogoutUrls: ["https://a.example.com/bye#x"] }, "InvalidParameter.AllowedLogoutUrls"],
    ["a non-boolean switch", { SkipConsentEnabled: "maybe" }, "InvalidParameter.SkipConsentEnabled"],
    ["a missing ClientUid", { ClientUid: undefined }, "MissingParameter.ClientUid"],
  ])("UpdateUserPoolClient refuses %s and changes nothing", async (_what, fields, code) => {
    const c = await createClient(svc);
    const before = await get(c);
    expect(codeOf(await update(c, fields))).toBe(code);
    expect(await get(c)).toEqual(before);
  });

  it("checks an idle lifetime against the stored combined one", async () => {
    const c = await createClient(svc);
    await svc.ok("UpdateUserPoolClient", {
      ...ref(c),
      RefreshToken: { HasCombinedLifetime: true, CombinedLifetimeSeconds: 3600, IdleLifetimeSeconds: 600 },
    });
    expect(codeOf(await update(c, { RefreshToken: { HasIdleLifetime: true, IdleLifetimeSeconds: 7200 } }))).toBe(
      "InvalidParameter.RefreshToken.IdleLifetimeSeconds",
    );
    // While one of them is off, the other bound does not apply.
    expect(codeOf(await update(c, { RefreshToken: { HasIdleLifetime: false, IdleLifetimeSeconds: 7200 } }))).toBe("OK");
  });
});

describe("tenancy, keys and the pool", () => {
  it("keeps every client to its account and its pool", async () => {
    const c = await createClient(svc);
    const other = { key: svc.otherAdmin };
    for (const action of ["GetUserPoolClient", "UpdateUserPoolClient", "DeleteUserPoolClient"]) {
      expect(codeOf(await svc.call(action, { ...ref(c), ...(action.startsWith("Update") && { ResetSecret: true }) }, other))).toBe(
        "NotFound",
      );
    }
    expect(codeOf(await svc.call("ListUserPoolClients", { UserPoolUid: c.UserPoolUid }, other))).toBe("NotFound");
    expect(await verify(c.Uid, c.ClientSecret)).toBe(true); // the refused reset changed nothing
    // Another pool of the same account does not hold it either.
    const elsewhere = { UserPoolUid: await createPool(svc), ClientUid: c.Uid };
    expect((await svc.call("GetUserPoolClient", elsewhere)).ResponseMetadata.Error).toMatchObject({
      Code: "NotFound",
      Message: `resource UserPoolClient ${c.Uid} does not exist`,
    });
    expect(codeOf(await svc.call("DeleteUserPoolClient", elsewhere))).toBe("NotFound");
    expect(await get(c)).toMatchObject({ Uid: c.Uid });
    // The security suite runs the same for every action of the family.
    expect(crossAccountCases.map((k) => k.action).sort()).toEqual(userPoolClientActions.map((a) => a.name).sort());
  });

  it("lets a readonly key read clients, and only read", async () => {
    const c = await createClient(svc);
    const ro = { key: svc.readonly };
    expect(await svc.ok("GetUserPoolClient", ref(c), ro)).toMatchObject({ Uid: c.Uid, ClientSecret: "******" });
    expect((await svc.ok("ListUserPoolClients", { UserPoolUid: c.UserPoolUid }, ro)).TotalCount).toBe(1);
    expect(codeOf(await svc.call("CreateUserPoolClient", { UserPoolUid: c.UserPoolUid, Name: "n", ClientType: "SPA" }, ro))).toBe(
      "AccessDenied",
    );
    expect(codeOf(await svc.call("UpdateUserPoolClient", { ...ref(c), ResetSecret: true }, ro))).toBe("AccessDenied");
    expect(codeOf(await svc.call("DeleteUserPoolClient", ref(c), ro))).toBe("AccessDenied");
    expect(await verify(c.Uid, c.ClientSecret)).toBe(true);
  });

  it("goes with its pool, and a missing pool is NotFound for the pool", async () => {
    const c = await createClient(svc);
    await createClient(svc, c.UserPoolUid, { ClientType: "NATIVE" });
    await svc.ok("DeleteUserPool", { UserPoolUid: c.UserPoolUid });
    const left = await svc.deps.db
      .selectFrom("oauth_credentials")
      .select("credential_id")
      .where("account_id", "=", svc.accountId)
      .where("user_pool_uid", "=", c.UserPoolUid)
      .execute();
    expect(left).toEqual([]);
    expect(await verify(c.Uid, c.ClientSecret)).toBe(false);
    const env = await svc.call("GetUserPoolClient", ref(c));
    expect(env.ResponseMetadata.Error).toMatchObject({ Code: "NotFound", Message: `resource UserPool ${c.UserPoolUid} does not exist` });
  });
});
