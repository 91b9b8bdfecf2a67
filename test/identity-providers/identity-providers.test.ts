// OAuth identity providers end to end through the official Node SDK against a real server: the
// seed's own request and response, create/get/list/delete, partial updates, quota and counters, and
// account isolation. Validation and the sealed client secret: identity-providers-rules.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityProviderActions } from "../../src/identity-providers/actions.js";
import { findIdentityProvider } from "../../src/identity-providers/queries.js";
import { openClientSecret } from "../../src/identity-providers/secret.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { connectionParams, createConnection, createPool, crossAccountCases } from "../support/families/identity-providers.js";

const outputOf = (name: string) => identityProviderActions.find((a) => a.name === name)!.output;
const QUOTA = 4;
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({ env: { ID_QUOTA_IDPS_PER_POOL: String(QUOTA) } });
});
afterAll(() => svc.close());

const rowOf = (accountId: string, poolUid: string, uid: string) => findIdentityProvider(svc.deps.db, { accountId, poolUid, uid });
const poolOf = (uid: string) => svc.ok("GetUserPool", { UserPoolUid: uid });

describe("identity providers: the seed's UpdateIdentityProviderOAuth", () => {
  it("answers the seed's own request (UserPoolUID / ConnectionUID casing) with the whole object, changing nothing", async () => {
    const { UserPoolUid, ConnectionUid, idp } = await createConnection(svc, undefined, {
      ClientSecret: "s3cret-seed",
      ScopesList: ["openid", "email", "profile"],
    });
    const result = await svc.ok("UpdateIdentityProviderOAuth", { UserPoolUID: UserPoolUid, ConnectionUID: ConnectionUid });
    outputOf("UpdateIdentityProviderOAuth").parse(result);
    expect(Object.keys(result).sort()).toEqual(
      [
        "Uid",
        "Enabled",
        "UsePkce",
        "Name",
        "Provider",
        "ClientId",
        "ClientSecret",
        "AuthorizationEndpoint",
        "TokenEndpoint",
        "UserEndpoint",
        "ScopesList",
        "IdAttribute",
        "ProviderOptions",
        "AttributeMappings",
        "ClaimsPropagationConfig",
        "ExtraProviderConfiguration",
        "SoleProviderConnection",
        "EipRecord",
        "CreateTime",
        "UpdateTime",
      ].sort(),
    );
    expect(Object.keys(result.ProviderOptions).sort()).toEqual([
      "AutoLinking",
      "IsAutoCreation",
      "IsAutoUpdate",
      "IsCreationAllowed",
      "IsLinkingAllowed",
      "UserLinkingPromptEnabled",
    ]);
    // A real array of strings, not the seed's stringified array inside an array.
    expect(result.ScopesList).toEqual(["openid", "email", "profile"]);
    expect(result).toEqual(idp);
    expect(result.ClientSecret).toBe("******");
  });

  it("applies the seed's example values (with a valid AutoLinking) and returns them", async () => {
    const { UserPoolUid, ConnectionUid } = await createConnection(svc);
    const seedValues = {
      Enabled: true,
      UsePkce: true,
      Name: "example",
      ClientId: "example",
      ClientSecret: "example",
      AuthorizationEndpoint: "https://example.com/oauth2/authorize",
      TokenEndpoint: "https://example.com/oauth2/token",
      UserEndpoint: "https://example.com/userinfo",
      ScopesList: ["openid", "email", "profile"],
      IdAttribute: "example",
    };
    // The seed's AutoLinking "example" is outside the closed set.
    const bad = await svc.call("UpdateIdentityProviderOAuth", {
      UserPoolUID: UserPoolUid,
      ConnectionUID: ConnectionUid,
      ...seedValues,
      ProviderOptions: { AutoLinking: "example" },
    });
    expect(codeOf(bad)).toBe("InvalidParameter.ProviderOptions.AutoLinking");
    const result = await svc.ok("UpdateIdentityProviderOAuth", {
      UserPoolUID: UserPoolUid,
      ConnectionUID: ConnectionUid,
      ...seedValues,
      ProviderOptions: { AutoLinking: "EMAIL", IsLinkingAllowed: true },
    });
    outputOf("UpdateIdentityProviderOAuth").parse(result);
    expect(result).toMatchObject({ ...seedValues, ClientSecret: "******", Uid: ConnectionUid });
    expect(result.ProviderOptions).toEqual({
      AutoLinking: "EMAIL",
      IsLinkingAllowed: true,
      IsCreationAllowed: true,
      IsAutoCreation: true,
      IsAutoUpdate: false,
      UserLinkingPromptEnabled: false,
    });
  });
});

describe("identity providers: create, get, list, delete", () => {
  it("creates with defaults; the pool counts its connections; Get returns the same object", async () => {
    const poolUid = await createPool(svc);
    const idp = await svc.ok("CreateIdentityProviderOAuth", connectionParams(poolUid));
    outputOf("CreateIdentityProviderOAuth").parse(idp);
    expect(idp).toMatchObject({ Enabled: true, UsePkce: true, Provider: "", ClientSecret: "", ScopesList: [], IdAttribute: "sub" });
    expect(idp.ProviderOptions).toEqual({
      AutoLinking: "DISABLED",
      IsLinkingAllowed: false,
      IsCreationAllowed: true,
      IsAutoCreation: true,
      IsAutoUpdate: false,
      UserLinkingPromptEnabled: false,
    });
    expect(await svc.ok("GetIdentityProviderOAuth", { UserPoolUid: poolUid, ConnectionUid: idp.Uid })).toEqual(idp);
    expect((await poolOf(poolUid)).TotalConnections).toBe(1);
  });

  it("accepts any casing, form bodies with ScopesList.N, GET, and string booleans", async () => {
    const poolUid = await createPool(svc);
    const p = connectionParams(poolUid);
    const lower = Object.fromEntries(Object.entries(p).map(([k, v]) => [k.toLowerCase(), v]));
    const a = await svc.ok("CreateIdentityProviderOAuth", {
      ...lower,
      usepkce: "false",
      scopeslist: ["openid"],
      provideroptions: { autolinking: "USERNAME" },
    });
    expect(a).toMatchObject({ Name: p.Name, UsePkce: false, ScopesList: ["openid"], ProviderOptions: { AutoLinking: "USERNAME" } });
    const form = await svc.ok(
      "CreateIdentityProviderOAuth",
      {
        ...connectionParams(poolUid),
        "ScopesList.1": "openid",
        "ScopesList.2": "email",
        Enabled: "false",
        "ProviderOptions.IsAutoUpdate": "true",
      },
      { contentType: "urlencode" },
    );
    expect(form).toMatchObject({ ScopesList: ["openid", "email"], Enabled: false, ProviderOptions: { IsAutoUpdate: true } });
    const got = await svc.ok("GetIdentityProviderOAuth", { userpooluid: poolUid, CONNECTIONUID: form.Uid }, { method: "GET" });
    expect(got).toEqual(form);
  });

  it("lists with paging and filters; both list actions; an unknown pool is NotFound", async () => {
    const poolUid = await createPool(svc);
    const names = ["github-main", "google", "GitHub-backup"];
    for (const Name of names) {
      await svc.ok("CreateIdentityProviderOAuth", connectionParams(poolUid, { Name, Provider: "custom" }));
      svc.clock.advance(1); // distinct CreateTimes, so "newest first" is a fixed order
    }
    const all = await svc.ok("ListIdentityProviders", { UserPoolUid: poolUid });
    outputOf("ListIdentityProviders").parse(all);
    expect(all.TotalCount).toBe(3);
    expect(all.Data[0]).toMatchObject({ Name: "GitHub-backup", ConnectionType: "OAUTH", Provider: "custom", Enabled: true });
    expect(Object.keys(all.Data[0]).sort()).toEqual([
      "AttributeMappings",
      "ConnectionType",
      "CreateTime",
      "Enabled",
      "Name",
      "Provider",
      "Uid",
      "UpdateTime",
    ]);
    const page2 = await svc.ok("ListIdentityProviders", { UserPoolUid: poolUid, PageSize: 2, PageNumber: 2 });
    expect(page2).toMatchObject({ TotalCount: 3, PageNumber: 2, PageSize: 2 });
    expect(page2.Data.map((d: { Name: string }) => d.Name)).toEqual(["github-main"]);
    const filtered = await svc.ok("ListIdentityProviders", { UserPoolUid: poolUid, Filter: { Name: "github", ConnectionType: "OAUTH" } });
    expect(filtered.Data.map((d: { Name: string }) => d.Name).sort()).toEqual(["GitHub-backup", "github-main"]);
    expect(codeOf(await svc.call("ListIdentityProviders", { UserPoolUid: poolUid, Filter: { ConnectionType: "LDAP" } }))).toBe(
      "InvalidParameter.Filter.ConnectionType",
    );
    expect(codeOf(await svc.call("ListIdentityProvidersOAuth", { UserPoolUid: "no-such-pool" }))).toBe("NotFound");
  });

  it("deletes with both delete actions, keeps TotalConnections right, and a pool's deletion removes its connections", async () => {
    const poolUid = await createPool(svc);
    const a = await createConnection(svc, poolUid);
    const b = await createConnection(svc, poolUid);
    const c = await createConnection(svc, poolUid);
    expect((await poolOf(poolUid)).TotalConnections).toBe(3);
    expect((await svc.ok("DeleteIdentityProviderOAuth", { UserPoolUid: poolUid, ConnectionUid: a.ConnectionUid })).Message).toContain(
      a.ConnectionUid,
    );
    await svc.ok("DeleteIdentityProvider", { UserPoolUid: poolUid, ConnectionUid: b.ConnectionUid });
    expect(codeOf(await svc.call("GetIdentityProviderOAuth", { UserPoolUid: poolUid, ConnectionUid: a.ConnectionUid }))).toBe("NotFound");
    expect(codeOf(await svc.call("DeleteIdentityProvider", { UserPoolUid: poolUid, ConnectionUid: b.ConnectionUid }))).toBe("NotFound");
    expect((await poolOf(poolUid)).TotalConnections).toBe(1);
    await svc.ok("DeleteUserPool", { UserPoolUid: poolUid });
    expect(await rowOf(svc.accountId, poolUid, c.ConnectionUid)).toBeUndefined();
  });

  it("enforces the per-pool quota with QuotaExceeded, per pool", async () => {
    const poolUid = await createPool(svc);
    for (let i = 0; i < QUOTA; i++) await createConnection(svc, poolUid);
    const env = await svc.call("CreateIdentityProviderOAuth", connectionParams(poolUid));
    expect(codeOf(env)).toBe("QuotaExceeded");
    expect(env.ResponseMetadata.Error!.Message).toContain("IdentityProvidersPerPool");
    expect((await poolOf(poolUid)).TotalConnections).toBe(QUOTA);
    await createConnection(svc); // another pool is not affected
  });

  it("holds the quota under concurrent creates", async () => {
    const poolUid = await createPool(svc);
    const results = await Promise.all(
      Array.from({ length: QUOTA + 3 }, () => svc.call("CreateIdentityProviderOAuth", connectionParams(poolUid))),
    );
    expect(results.filter((e) => codeOf(e) === "OK")).toHaveLength(QUOTA);
    expect(results.filter((e) => codeOf(e) === "QuotaExceeded")).toHaveLength(3);
    expect((await poolOf(poolUid)).TotalConnections).toBe(QUOTA);
  });
  it("races DeleteUserPool against creates, updates and deletes of its connections without a 5xx or a leftover", async () => {
    for (let round = 0; round < 3; round++) {
      const poolUid = await createPool(svc);
      const conns = await Promise.all(Array.from({ length: 3 }, () => createConnection(svc, poolUid)));
      const refs = conns.map((c) => ({ UserPoolUid: poolUid, ConnectionUid: c.ConnectionUid }));
      const envs = await Promise.all([
        ...refs.map((r) => svc.call("DeleteIdentityProvider", r)),
        ...refs.map((r) => svc.call("UpdateIdentityProviderOAuth", { ...r, ClientSecret: "racing" })),
        svc.call("CreateIdentityProviderOAuth", connectionParams(poolUid)),
        svc.call("DeleteUserPool", { UserPoolUid: poolUid }),
      ]);
      expect(envs.map(codeOf).filter((c) => c !== "OK" && c !== "NotFound")).toEqual([]);
      const left = await svc.deps.db
        .selectFrom("identity_providers")
        .select("uid")
        .where("account_id", "=", svc.accountId)
        .where("user_pool_uid", "=", poolUid)
        .execute();
      expect(left).toEqual([]);
    }
  });
});

describe("identity providers: partial update", () => {
  it("changes only the given fields, merges ProviderOptions, replaces ScopesList, and keeps the secret", async () => {
    const { UserPoolUid, ConnectionUid, idp } = await createConnection(svc, undefined, {
      ClientSecret: "keep-me-1",
      Provider: "github",
      ScopesList: ["read:user", "user:email"],
      ProviderOptions: { AutoLinking: "EMAIL", IsLinkingAllowed: true },
    });
    const ref = { UserPoolUid, ConnectionUid };
    svc.clock.advance(2);
    const renamed = await svc.ok("UpdateIdentityProviderOAuth", { ...ref, Name: "renamed-" + ConnectionUid.slice(0, 8) });
    expect(renamed).toEqual({ ...idp, Name: renamed.Name, UpdateTime: renamed.UpdateTime });
    expect(renamed.UpdateTime > idp.UpdateTime).toBe(true);
    const merged = await svc.ok("UpdateIdentityProviderOAuth", {
      ...ref,
      ProviderOptions: { IsAutoUpdate: true },
      ScopesList: ["read:org"],
      ClientSecret: "",
    });
    expect(merged.ProviderOptions).toEqual({
      AutoLinking: "EMAIL",
      IsLinkingAllowed: true,
      IsCreationAllowed: true,
      IsAutoCreation: true,
      IsAutoUpdate: true,
      UserLinkingPromptEnabled: false,
    });
    expect(merged).toMatchObject({ ScopesList: ["read:org"], Provider: "github", ClientId: idp.ClientId, ClientSecret: "******" });
    // Neither the rename nor an empty ClientSecret touched the stored secret.
    let row = await rowOf(svc.accountId, UserPoolUid, ConnectionUid);
    expect(openClientSecret(svc.deps.secretBox, row!)).toBe("keep-me-1");
    await svc.ok("UpdateIdentityProviderOAuth", { ...ref, ClientSecret: "new-secret-2" });
    row = await rowOf(svc.accountId, UserPoolUid, ConnectionUid);
    expect(openClientSecret(svc.deps.secretBox, row!)).toBe("new-secret-2");
    const cleared = await svc.ok("UpdateIdentityProviderOAuth", { ...ref, ScopesList: [] });
    expect(cleared.ScopesList).toEqual([]);
  });

  it("a failed update changes nothing", async () => {
    const { UserPoolUid, ConnectionUid, idp } = await createConnection(svc, undefined, { ClientSecret: "unchanged" });
    const env = await svc.call("UpdateIdentityProviderOAuth", {
      UserPoolUid,
      ConnectionUid,
      Name: "fine",
      TokenEndpoint: "http://evil.example.com/token",
    });
    expect(codeOf(env)).toBe("InvalidParameter.TokenEndpoint");
    expect(await svc.ok("GetIdentityProviderOAuth", { UserPoolUid, ConnectionUid })).toEqual(idp);
  });

  it("Name stays unique in the pool (Duplicated), but may repeat across pools", async () => {
    const poolUid = await createPool(svc);
    const a = await createConnection(svc, poolUid, { Name: "github" });
    expect(codeOf(await svc.call("CreateIdentityProviderOAuth", connectionParams(poolUid, { Name: "github" })))).toBe("Duplicated");
    const b = await createConnection(svc, poolUid, { Name: "gitlab" });
    const env = await svc.call("UpdateIdentityProviderOAuth", { UserPoolUid: poolUid, ConnectionUid: b.ConnectionUid, Name: "github" });
    expect(codeOf(env)).toBe("Duplicated");
    expect(env.ResponseMetadata.Error!.Message).toBe("resource IdentityProvider github already exists");
    await createConnection(svc, undefined, { Name: "github" });
    expect((await poolOf(poolUid)).TotalConnections).toBe(2);
    expect(a.idp.Name).toBe("github");
  });
});

describe("identity providers: accounts and roles", () => {
  it("another account's ConnectionUid is NotFound for every action, and nothing changes", async () => {
    const { UserPoolUid, ConnectionUid, idp } = await createConnection(svc, undefined, { ClientSecret: "mine" });
    const key = svc.otherAdmin;
    for (const action of ["GetIdentityProviderOAuth", "DeleteIdentityProviderOAuth", "DeleteIdentityProvider"]) {
      expect(codeOf(await svc.call(action, { UserPoolUid, ConnectionUid }, { key })), action).toBe("NotFound");
    }
    expect(
      codeOf(await svc.call("UpdateIdentityProviderOAuth", { UserPoolUid, ConnectionUid, Name: "stolen", ClientSecret: "x" }, { key })),
    ).toBe("NotFound");
    expect(codeOf(await svc.call("ListIdentityProviders", { UserPoolUid }, { key }))).toBe("NotFound");
    expect(codeOf(await svc.call("CreateIdentityProviderOAuth", connectionParams(UserPoolUid), { key }))).toBe("NotFound");
    expect(await svc.ok("GetIdentityProviderOAuth", { UserPoolUid, ConnectionUid })).toEqual(idp);
    expect((await poolOf(UserPoolUid)).TotalConnections).toBe(1);
  });

  it("the security suite has a cross-account case for every action of the family", () => {
    expect(crossAccountCases.map((c) => c.action).sort()).toEqual(
      identityProviderActions
        .filter((a) => !a.accountWide)
        .map((a) => a.name)
        .sort(),
    );
  });

  it("a readonly key may read but not write", async () => {
    const { UserPoolUid, ConnectionUid } = await createConnection(svc);
    const key = svc.readonly;
    await svc.ok("GetIdentityProviderOAuth", { UserPoolUid, ConnectionUid }, { key });
    await svc.ok("ListIdentityProvidersOAuth", { UserPoolUid }, { key });
    expect(codeOf(await svc.call("UpdateIdentityProviderOAuth", { UserPoolUid, ConnectionUid, Enabled: false }, { key }))).toBe(
      "AccessDenied",
    );
    expect(codeOf(await svc.call("DeleteIdentityProvider", { UserPoolUid, ConnectionUid }, { key }))).toBe("AccessDenied");
  });
});
