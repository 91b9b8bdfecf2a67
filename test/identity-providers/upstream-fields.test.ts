// Upstream's connection fields through the official Node SDK: AttributeMappings,
// ClaimsPropagationConfig, ExtraProviderConfiguration, SoleProviderConnection,
// ProviderOptions.UserLinkingPromptEnabled, the empty-only EIP and Passvault fields; the whole-pool
// ListIdentityProvidersOAuth; ListIdentityProviders' new filters; and ListAllIdentityProviders.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityProviderActions } from "../../src/identity-providers/actions.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { connectionParams, createConnection, createPool, uniqueName } from "../support/families/identity-providers.js";

const outputOf = (name: string) => identityProviderActions.find((a) => a.name === name)!.output;
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

const MAPPINGS = [
  { SourceAttributeName: "login", TargetAttributeName: "PreferredUsername", MappingType: "DIRECT", AdditionalConfig: "" },
  { SourceAttributeName: "given_name", TargetAttributeName: "GivenName", MappingType: "DIRECT", AdditionalConfig: "" },
  { SourceAttributeName: "", TargetAttributeName: "EmailVerified", MappingType: "CONSTANT", AdditionalConfig: "true" },
];
const PROPAGATION = {
  Mode: "RULES",
  ClaimRules: [
    { ClaimType: "STRING", Required: true, SourceClaimPath: "org.id", TargetClaim: "org_id" },
    { ClaimType: "JSON", Required: false, SourceClaimPath: "teams", TargetClaim: "https://example.com/teams" },
  ],
};

describe("identity providers: upstream's fields", () => {
  it("round-trips every new field through Create, Get, Update and both lists", async () => {
    const poolUid = await createPool(svc);
    const created = await svc.ok(
      "CreateIdentityProviderOAuth",
      connectionParams(poolUid, {
        AttributeMappings: MAPPINGS,
        ClaimsPropagationConfig: PROPAGATION,
        ExtraProviderConfiguration: { DingDingExtraProviderConfiguration: { AgentId: "agent-42" } },
        SoleProviderConnection: true,
        ProviderOptions: { UserLinkingPromptEnabled: true },
        EipId: "",
        PassvaultOauth2CredentialProviderOptions: { CreatePassvaultOauth2CredentialProvider: false, WorkloadPoolName: "" },
      }),
    );
    outputOf("CreateIdentityProviderOAuth").parse(created);
    expect(created).toMatchObject({
      AttributeMappings: MAPPINGS,
      ClaimsPropagationConfig: PROPAGATION,
      ExtraProviderConfiguration: { DingDingExtraProviderConfiguration: { AgentId: "agent-42" } },
      SoleProviderConnection: true,
      EipRecord: { EipAddress: "", EipId: "" },
    });
    expect(created.ProviderOptions).toMatchObject({ UserLinkingPromptEnabled: true, AutoLinking: "DISABLED" });
    const ref = { UserPoolUid: poolUid, ConnectionUid: created.Uid };
    expect(await svc.ok("GetIdentityProviderOAuth", ref)).toEqual(created);
    const oauth = await svc.ok("ListIdentityProvidersOAuth", { UserPoolUid: poolUid });
    expect(oauth.Data).toEqual([created]);
    const list = await svc.ok("ListIdentityProviders", { UserPoolUID: poolUid });
    expect(list.Data[0].AttributeMappings).toEqual(MAPPINGS);

    // Update: the lists are replaced whole, the objects merge, SoleProviderConnection stays.
    svc.clock.advance(1);
    const updated = await svc.ok("UpdateIdentityProviderOAuth", {
      ...ref,
      AttributeMappings: [{ SourceAttributeName: "email", TargetAttributeName: "email", MappingType: "DIRECT" }],
      ClaimsPropagationConfig: { Mode: "DISABLED" },
      ExtraProviderConfiguration: {},
      ProviderOptions: { IsAutoUpdate: true },
      EipId: "",
    });
    outputOf("UpdateIdentityProviderOAuth").parse(updated);
    expect(updated.AttributeMappings).toEqual([
      { SourceAttributeName: "email", TargetAttributeName: "Email", MappingType: "DIRECT", AdditionalConfig: "" },
    ]);
    expect(updated.ClaimsPropagationConfig).toEqual({ Mode: "DISABLED", ClaimRules: [] });
    expect(updated.ExtraProviderConfiguration).toEqual({ DingDingExtraProviderConfiguration: { AgentId: "agent-42" } });
    expect(updated.ProviderOptions).toMatchObject({ UserLinkingPromptEnabled: true, IsAutoUpdate: true });
    expect(updated.SoleProviderConnection).toBe(true);
    expect(updated.UpdateTime > created.UpdateTime).toBe(true);
    const cleared = await svc.ok("UpdateIdentityProviderOAuth", { ...ref, AttributeMappings: [] });
    expect(cleared.AttributeMappings).toEqual([]);
    // What Get answers is a valid Update (read-modify-write), less the fields Update does not take.
    const {
      Uid: _u,
      CreateTime: _c,
      UpdateTime: _t,
      ClientSecret: _s,
      Provider: _p,
      SoleProviderConnection: _o,
      EipRecord: _e,
      ...same
    } = cleared;
    svc.clock.advance(1);
    const rewritten = await svc.ok("UpdateIdentityProviderOAuth", { ...ref, ...same });
    expect({ ...rewritten, UpdateTime: cleared.UpdateTime }).toEqual(cleared);
  });

  it("gives a connection created without them the empty values", async () => {
    const { idp } = await createConnection(svc);
    expect(idp).toMatchObject({
      AttributeMappings: [],
      ClaimsPropagationConfig: { Mode: "DISABLED", ClaimRules: [] },
      ExtraProviderConfiguration: { DingDingExtraProviderConfiguration: { AgentId: "" } },
      SoleProviderConnection: false,
      EipRecord: { EipAddress: "", EipId: "" },
    });
    expect(idp.ProviderOptions.UserLinkingPromptEnabled).toBe(false);
  });

  it("refuses what idplane cannot honour, each with its typed error, and creates nothing", async () => {
    const poolUid = await createPool(svc);
    const create = (o: Record<string, unknown>) => svc.call("CreateIdentityProviderOAuth", connectionParams(poolUid, o)).then(codeOf);
    const mapping = (m: Record<string, unknown>) =>
      create({ AttributeMappings: [{ SourceAttributeName: "x", TargetAttributeName: "Email", ...m }] });
    expect(await mapping({ TargetAttributeName: "ShoeSize" })).toBe("InvalidParameter.AttributeMappings.TargetAttributeName");
    expect(await mapping({ TargetAttributeName: "Password" })).toBe("InvalidParameter.AttributeMappings.TargetAttributeName");
    expect(await mapping({ TargetAttributeName: "" })).toBe("MissingParameter.AttributeMappings.TargetAttributeName");
    expect(await mapping({ MappingType: "EXPRESSION" })).toBe("InvalidParameter.AttributeMappings.MappingType");
    expect(await mapping({ SourceAttributeName: "" })).toBe("InvalidParameter.AttributeMappings.SourceAttributeName");
    expect(await mapping({ AdditionalConfig: "upper()" })).toBe("InvalidParameter.AttributeMappings.AdditionalConfig");
    expect(await mapping({ MappingType: "CONSTANT", AdditionalConfig: "a@b.c" })).toBe(
      "InvalidParameter.AttributeMappings.SourceAttributeName",
    );
    expect(
      await mapping({
        SourceAttributeName: "",
        TargetAttributeName: "PhoneNumberVerified",
        MappingType: "CONSTANT",
        AdditionalConfig: "yes",
      }),
    ).toBe("InvalidParameter.AttributeMappings.AdditionalConfig");
    expect(
      await create({
        AttributeMappings: [
          { SourceAttributeName: "a", TargetAttributeName: "Email" },
          { SourceAttributeName: "b", TargetAttributeName: "email" },
        ],
      }),
    ).toBe("InvalidParameter.AttributeMappings");
    expect(await create({ AttributeMappings: [{ SourceAttributeName: "a", TargetAttributeName: "Email", Extra: 1 }] })).toBe(
      "InvalidParameter.AttributeMappings.Extra",
    );

    const rules = (r: Record<string, unknown>) =>
      create({ ClaimsPropagationConfig: { Mode: "RULES", ClaimRules: [{ SourceClaimPath: "a", TargetClaim: "a", ...r }] } });
    expect(await create({ ClaimsPropagationConfig: { Mode: "RULES" } })).toBe("InvalidParameter.ClaimsPropagationConfig.ClaimRules");
    expect(await create({ ClaimsPropagationConfig: { Mode: "ALL" } })).toBe("InvalidParameter.ClaimsPropagationConfig.Mode");
    expect(await rules({ TargetClaim: "sub" })).toBe("InvalidParameter.ClaimsPropagationConfig.ClaimRules.TargetClaim");
    expect(await rules({ TargetClaim: "has space" })).toBe("InvalidParameter.ClaimsPropagationConfig.ClaimRules.TargetClaim");
    expect(await rules({ ClaimType: "DATE" })).toBe("InvalidParameter.ClaimsPropagationConfig.ClaimRules.ClaimType");
    expect(await rules({ SourceClaimPath: "" })).toBe("MissingParameter.ClaimsPropagationConfig.ClaimRules.SourceClaimPath");
    expect(
      await create({
        ClaimsPropagationConfig: {
          Mode: "RULES",
          ClaimRules: [
            { SourceClaimPath: "a", TargetClaim: "t" },
            { SourceClaimPath: "b", TargetClaim: "t" },
          ],
        },
      }),
    ).toBe("InvalidParameter.ClaimsPropagationConfig.ClaimRules");

    const eip = await svc.call("CreateIdentityProviderOAuth", connectionParams(poolUid, { EipId: "eip-2ze1" }));
    expect(codeOf(eip)).toBe("InvalidParameter.EipId");
    expect(eip.ResponseMetadata.Error!.Message).toContain("idplane has no elastic IPs");
    expect(await create({ PassvaultOauth2CredentialProviderOptions: { CreatePassvaultOauth2CredentialProvider: true } })).toBe(
      "InvalidParameter.PassvaultOauth2CredentialProviderOptions",
    );
    expect(await create({ PassvaultOauth2CredentialProviderOptions: { WorkloadPoolName: "pool" } })).toBe(
      "InvalidParameter.PassvaultOauth2CredentialProviderOptions",
    );
    expect(await create({ ExtraProviderConfiguration: { DingDingExtraProviderConfiguration: { AgentId: "x".repeat(129) } } })).toBe(
      "InvalidParameter.ExtraProviderConfiguration.DingDingExtraProviderConfiguration.AgentId",
    );
    expect(await create({ ProviderOptions: { UserLinkingPromptEnabled: "often" } })).toBe(
      "InvalidParameter.ProviderOptions.UserLinkingPromptEnabled",
    );
    expect((await svc.ok("GetUserPool", { UserPoolUid: poolUid })).TotalConnections).toBe(0);

    const { ConnectionUid } = await createConnection(svc, poolUid);
    const update = (o: Record<string, unknown>) =>
      svc.call("UpdateIdentityProviderOAuth", { UserPoolUid: poolUid, ConnectionUid, ...o }).then(codeOf);
    expect(await update({ EipId: "eip-1" })).toBe("InvalidParameter.EipId");
    // Upstream sets these only on create.
    expect(await update({ SoleProviderConnection: true })).toBe("InvalidParameter.SoleProviderConnection");
    expect(await update({ PassvaultOauth2CredentialProviderOptions: {} })).toBe(
      "InvalidParameter.PassvaultOauth2CredentialProviderOptions",
    );
  });

  it("keeps at most one sole provider connection per pool", async () => {
    const poolUid = await createPool(svc);
    const sole = await createConnection(svc, poolUid, { SoleProviderConnection: true });
    await createConnection(svc, poolUid, { SoleProviderConnection: false });
    const second = await svc.call("CreateIdentityProviderOAuth", connectionParams(poolUid, { SoleProviderConnection: true }));
    expect(codeOf(second)).toBe("Duplicated");
    expect(second.ResponseMetadata.Error!.Message).toBe(`resource SoleProviderConnection of UserPool ${poolUid} already exists`);
    await createConnection(svc, undefined, { SoleProviderConnection: true }); // another pool has its own
    await svc.ok("DeleteIdentityProvider", { UserPoolUid: poolUid, ConnectionUid: sole.ConnectionUid });
    await createConnection(svc, poolUid, { SoleProviderConnection: true });
  });
});

describe("identity providers: upstream's lists", () => {
  it("ListIdentityProvidersOAuth answers the pool's connections whole, in pages of at most 20", async () => {
    const poolUid = await createPool(svc);
    for (let i = 0; i < 12; i++) {
      await createConnection(svc, poolUid, { Name: `idp-${String(i).padStart(2, "0")}`, ClientSecret: i % 2 ? "s3cret" : undefined });
      svc.clock.advance(1);
    }
    const all = await svc.ok("ListIdentityProvidersOAuth", { UserPoolUid: poolUid });
    outputOf("ListIdentityProvidersOAuth").parse(all);
    expect(all).toMatchObject({ TotalCount: 12, PageNumber: 1, PageSize: 20 });
    expect(all.Data.map((d: { Name: string }) => d.Name)).toEqual(
      Array.from({ length: 12 }, (_, i) => `idp-${String(11 - i).padStart(2, "0")}`),
    );
    expect(all.Data[0]).toEqual(await svc.ok("GetIdentityProviderOAuth", { UserPoolUid: poolUid, ConnectionUid: all.Data[0].Uid }));
    expect(new Set(all.Data.map((d: { ClientSecret: string }) => d.ClientSecret))).toEqual(new Set(["******", ""]));
    const second = await svc.ok("ListIdentityProvidersOAuth", { UserPoolUid: poolUid, PageNumber: 2, PageSize: 5 });
    expect(second).toMatchObject({ TotalCount: 12, PageNumber: 2, PageSize: 5 });
    expect(second.Data).toEqual(all.Data.slice(5, 10));
    for (const extra of [{ PageSize: 21 }, { PageNumber: 0 }, { Filter: { Name: "idp" } }]) {
      expect(codeOf(await svc.call("ListIdentityProvidersOAuth", { UserPoolUid: poolUid, ...extra }))).toBe(
        `InvalidParameter.${Object.keys(extra)[0]}`,
      );
    }
    const empty = await svc.ok("ListIdentityProvidersOAuth", { UserPoolUid: await createPool(svc) });
    expect(empty).toEqual({ Data: [], PageNumber: 1, PageSize: 20, TotalCount: 0 });
  });

  it("ListIdentityProviders takes ExcludeConnectionType and an empty EipId", async () => {
    const { UserPoolUid } = await createConnection(svc);
    expect((await svc.ok("ListIdentityProviders", { UserPoolUid, Filter: { ConnectionType: "OAUTH", EipId: "" } })).TotalCount).toBe(1);
    expect(await svc.ok("ListIdentityProviders", { UserPoolUid, Filter: { ExcludeConnectionType: "OAUTH" } })).toMatchObject({
      Data: [],
      TotalCount: 0,
    });
    expect(codeOf(await svc.call("ListIdentityProviders", { UserPoolUid, Filter: { EipId: "eip-1" } }))).toBe(
      "InvalidParameter.Filter.EipId",
    );
    expect(codeOf(await svc.call("ListIdentityProviders", { UserPoolUid, Filter: { ExcludeConnectionType: "LDAP" } }))).toBe(
      "InvalidParameter.Filter.ExcludeConnectionType",
    );
  });

  it("ListAllIdentityProviders lists the account's connections across pools with their pool, pages and filters, and nothing of another account", async () => {
    // A fresh account, so the listing holds exactly what this test creates.
    const account = String(9_000_000_000 + Math.floor(Math.random() * 1e9));
    const admin = await svc.newKey("admin", account);
    const readonly = await svc.newKey("readonly", account);
    const names = [uniqueName("pool-a"), uniqueName("pool-b")];
    const pools: string[] = [];
    for (const Name of names) pools.push((await svc.ok("CreateUserPool", { Name }, { key: admin })).Uid as string);
    const made: { Name: string; pool: number }[] = [];
    for (let i = 0; i < 5; i++) {
      const Name = i === 3 ? "GitHub-Enterprise" : `conn-${i}`;
      await svc.ok("CreateIdentityProviderOAuth", connectionParams(pools[i % 2]!, { Name, Provider: "custom" }), { key: admin });
      made.push({ Name, pool: i % 2 });
      svc.clock.advance(1);
    }
    await createConnection(svc); // the test's own account: never in the other account's list

    const all = await svc.ok("ListAllIdentityProviders", {}, { key: readonly });
    outputOf("ListAllIdentityProviders").parse(all);
    expect(all).toMatchObject({ TotalCount: 5, PageNumber: 1, PageSize: 10 });
    expect(all.Data.map((d: { Name: string }) => d.Name)).toEqual(made.map((m) => m.Name).reverse());
    expect(all.Data[0]).toMatchObject({
      Name: "conn-4",
      UserPoolUid: pools[0],
      UserPoolName: names[0],
      ConnectionType: "OAUTH",
      Provider: "custom",
      Enabled: true,
    });
    expect(Object.keys(all.Data[0]).sort()).toEqual([
      "ConnectionType",
      "CreateTime",
      "Enabled",
      "Name",
      "Provider",
      "Uid",
      "UpdateTime",
      "UserPoolName",
      "UserPoolUid",
    ]);
    const page = await svc.ok("ListAllIdentityProviders", { PageNumber: 2, PageSize: 2 }, { key: admin });
    expect(page).toMatchObject({ TotalCount: 5, PageNumber: 2, PageSize: 2 });
    expect(page.Data.map((d: { Name: string }) => d.Name)).toEqual(["conn-2", "conn-1"]);
    const github = await svc.ok(
      "ListAllIdentityProviders",
      { Filter: { Name: "github", ConnectionType: "OAUTH", EipId: "" } },
      { key: admin },
    );
    expect(github.Data.map((d: { Name: string; UserPoolName: string }) => [d.Name, d.UserPoolName])).toEqual([
      ["GitHub-Enterprise", names[1]],
    ]);
    expect((await svc.ok("ListAllIdentityProviders", { Filter: { ExcludeConnectionType: "OAUTH" } }, { key: admin })).TotalCount).toBe(0);
    expect(codeOf(await svc.call("ListAllIdentityProviders", { Filter: { EipId: "eip-1" } }, { key: admin }))).toBe(
      "InvalidParameter.Filter.EipId",
    );
    // The first account sees its own connections only.
    const mine = await svc.ok("ListAllIdentityProviders", { PageSize: 100 });
    expect(mine.Data.some((d: { UserPoolUid: string }) => pools.includes(d.UserPoolUid))).toBe(false);
    // A renamed pool shows its new name at once.
    await svc.ok("UpdateUserPool", { UserPoolUid: pools[1], Name: names[1] + "-renamed" }, { key: admin });
    expect((await svc.ok("ListAllIdentityProviders", { Filter: { Name: "GitHub" } }, { key: admin })).Data[0].UserPoolName).toBe(
      names[1] + "-renamed",
    );
  });
});
