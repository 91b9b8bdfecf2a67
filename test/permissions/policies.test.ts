// Policies and checks end to end through the official SDK: CreatePolicy (text and Definition),
// GrantPermission, Get/Update/Delete/ListPolicies; CheckPermission over the resource tree, groups,
// References, conditions, permission points, deny over allow, no policy = deny; the batch reads;
// malformed Cedar as InvalidParameter.Policy with the engine's position; a write made in Postgres
// behind this process's back seen by its next check.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { permissionActions } from "../../src/permissions/actions.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { check, newNamespace, resourceChain } from "../support/families/permissions.js";
import { createPool } from "../support/families/user-pools.js";
import { newUser } from "../support/families/users.js";

const outputOf = (name: string) => permissionActions.find((a) => a.name === name)!.output;
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

describe("policies", () => {
  it("creates from text and from a Definition, gets, lists, updates and deletes", async () => {
    const { NamespaceName, NamespaceId } = await newNamespace(svc);
    const text = 'permit (principal == User::"alice", action == Action::"read", resource);';
    const p = await svc.ok("CreatePolicy", { NamespaceName, PolicyName: "alice-reads", Policy: text, Description: "d" });
    outputOf("CreatePolicy").parse(p);
    expect(p).toMatchObject({ PolicyName: "alice-reads", Policy: text, Description: "d", NamespaceId });
    expect(p.Trn).toBe(`trn:id:cn-beijing:${svc.accountId}:namespace/${NamespaceId}/policy/${p.PolicyId}`);
    expect(await svc.ok("GetPolicy", { NamespaceName, PolicyName: "alice-reads" })).toEqual(p);
    expect(codeOf(await svc.call("CreatePolicy", { NamespaceName, PolicyName: "alice-reads", Policy: text }))).toBe("Duplicated");

    const d = await svc.ok("CreatePolicy", {
      NamespaceName,
      PolicyName: "team-writes",
      Definition: {
        Principal: 'Group::"team"',
        Operation: "write",
        Resource: 'Folder::"f"',
        Effect: "Deny",
        Condition: 'context.runID == "r1"',
        PrincipalInfo: "the team",
      },
    });
    expect(d.Policy).toBe(
      'forbid (\n  principal in Group::"team",\n  action == Action::"write",\n  resource in Folder::"f"\n)\nwhen { context.runID == "r1" };',
    );

    const list = await svc.ok("ListPolicies", { NamespaceName, SortField: "Name" });
    outputOf("ListPolicies").parse(list);
    expect(list.Data.map((x: { PolicyName: string }) => x.PolicyName)).toEqual(["alice-reads", "team-writes"]);
    expect(list.Data[0].Definition).toEqual({
      Principal: 'User::"alice"',
      PrincipalInfo: "",
      Operation: 'Action::"read"',
      Resource: "*",
      ResourceInfo: "",
      Effect: "Allow",
      Condition: "",
      ConditionInfo: "",
    });
    expect(list.Data[1]).toMatchObject({
      Status: "Enabled",
      Definition: { Effect: "Deny", Condition: 'context.runID == "r1"', PrincipalInfo: "the team" },
    });
    expect((await svc.ok("ListPolicies", { NamespaceName, Filter: { Trn: p.Trn } })).Data).toHaveLength(1);

    expect(await svc.ok("UpdatePolicy", { NamespaceName, PolicyName: "alice-reads", Description: "new", Status: "Disabled" })).toEqual({
      Success: true,
      Message: "policy alice-reads updated",
    });
    expect((await svc.ok("ListPolicies", { NamespaceName, Filter: { Name: "alice" } })).Data[0]).toMatchObject({
      Status: "Disabled",
      Description: "new",
    });
    expect((await svc.ok("DeletePolicy", { NamespaceName, PolicyName: "alice-reads" })).Success).toBe(true);
    expect(codeOf(await svc.call("GetPolicy", { NamespaceName, PolicyName: "alice-reads" }))).toBe("NotFound");
  });

  it("refuses malformed Cedar with the engine's position and message, never a 500", async () => {
    const { NamespaceName } = await newNamespace(svc);
    const bad = async (Policy: string) =>
      (await svc.call("CreatePolicy", { NamespaceName, PolicyName: "bad", Policy })).ResponseMetadata.Error!;
    const e = await bad("permit (principal, action, resource)\nwhen { context.x == };");
    expect(e.Code).toBe("InvalidParameter.Policy");
    expect(e.Message).toMatch(/^the policy is not valid Cedar: line 2, column 21: unexpected token `}`/);
    expect((await bad("permit(principal, action, resource); forbid(principal, action, resource);")).Message).toBe(
      "the text must hold exactly one Cedar policy, it holds 2",
    );
    expect((await bad("permit(principal == ?principal, action, resource);")).Message).toMatch(/template/);
    expect((await bad("")).Code).toBe("InvalidParameter.Policy");
    expect((await bad(`permit(principal, action, resource) when { ${'"a" == "a" && '.repeat(800)}true };`)).Code).toBe(
      "InvalidParameter.Policy",
    );
    // Deep nesting overflows the engine's stack (and would break it for every later call): bounded first.
    expect((await bad(`permit(principal, action, resource) when { ${"(".repeat(300)}true${")".repeat(300)} };`)).Message).toBe(
      "brackets may nest at most 16 deep, this nests 301",
    );
    expect((await bad(`permit(principal, action, resource) when { ${"1 + ".repeat(700)}1 == 2 };`)).Message).toBe(
      "a policy may have at most 256 operators, this has 701",
    );
    const deep = await svc.call("CreateResource", {
      NamespaceName,
      ResourceKey: "k",
      ResourceName: "k",
      ResourceType: "Doc",
      Properties: `${'{"a":'.repeat(200)}1${"}".repeat(200)}`,
    });
    expect(codeOf(deep)).toBe("InvalidParameter.Properties");
    expect(
      codeOf(await svc.call("CreatePolicy", { NamespaceName, PolicyName: "fine", Policy: "permit(principal, action, resource);" })),
    ).toBe("OK");
    const both = await svc.call("CreatePolicy", {
      NamespaceName,
      PolicyName: "x",
      Policy: "permit(principal, action, resource);",
      Definition: { Effect: "Allow" },
    });
    expect(codeOf(both)).toBe("InvalidParameter.Policy");
    const injected = await svc.call("CreatePolicy", {
      NamespaceName,
      PolicyName: "x",
      Definition: { Principal: 'User::"a"), action, resource); permit(principal' },
    });
    expect(codeOf(injected)).toBe("InvalidParameter.Definition.Principal");
    expect(
      codeOf(await svc.call("CreatePolicy", { NamespaceName, PolicyName: "x", Definition: { Condition: "true } unless { false" } })),
    ).toBe("InvalidParameter.Definition.Condition");
  });
});

describe("CheckPermission", () => {
  it("follows the resource tree, denies over allows, and says which policy decided", async () => {
    const { NamespaceName } = await newNamespace(svc);
    await resourceChain(svc, NamespaceName, [
      ["acme", "Org"],
      ["eng", "Team"],
      ["spec", "Document"],
    ]);
    const grant = await svc.ok("GrantPermission", {
      NamespaceName,
      PolicyName: "alice-reads-acme",
      Principal: { Type: "User", Id: "alice" },
      Operation: { Id: "read" },
      Resource: { Type: "Org", Id: "acme" },
    });
    outputOf("GrantPermission").parse(grant);
    expect(grant.Policy).toBe('permit (principal in User::"alice", action == Action::"read", resource in Org::"acme");');

    expect(await check(svc, NamespaceName, "alice", "read", ["spec", "Document"])).toEqual({
      Allowed: true,
      Message: "allowed by policy alice-reads-acme",
    });
    expect(await check(svc, NamespaceName, "alice", "write", ["spec", "Document"])).toEqual({
      Allowed: false,
      Message: "denied: no policy matched",
    });
    expect((await check(svc, NamespaceName, "bob", "read", ["spec", "Document"])).Allowed).toBe(false);
    // Not registered: no ancestors, unless the request's References give them.
    expect((await check(svc, NamespaceName, "alice", "read", ["loose", "Document"])).Allowed).toBe(false);
    const refs = { References: [{ Entity: { Type: "Document", Id: "loose" }, Parents: [{ Type: "Team", Id: "eng" }] }] };
    expect((await check(svc, NamespaceName, "alice", "read", ["loose", "Document"], refs)).Allowed).toBe(false);
    const refsToOrg = { References: [{ Entity: { Type: "Document", Id: "loose" }, Parents: [{ Type: "Org", Id: "acme" }] }] };
    expect((await check(svc, NamespaceName, "alice", "read", ["loose", "Document"], refsToOrg)).Allowed).toBe(true);

    await svc.ok("GrantPermission", {
      NamespaceName,
      PolicyName: "no-eng",
      Effect: "Deny",
      Operation: { Id: "read" },
      Resource: { Type: "Team", Id: "eng" },
    });
    expect(await check(svc, NamespaceName, "alice", "read", ["spec", "Document"])).toEqual({
      Allowed: false,
      Message: "denied by policy no-eng (a matching deny overrides any allow)",
    });
    expect((await check(svc, NamespaceName, "alice", "read", ["acme", "Org"])).Allowed).toBe(true);

    // Moving the document out of eng lifts the deny at once.
    await svc.ok("UpdateResource", { NamespaceName, ResourceKey: "spec", ParentResourceKey: "acme" });
    expect((await check(svc, NamespaceName, "alice", "read", ["spec", "Document"])).Allowed).toBe(true);
    // Another instance's write is a row change and a version bump in Postgres, nothing this process
    // hears of: the next check (whose index is cached) must still see it.
    await sql`update permission_policies set status = 'Disabled' where account_id = ${svc.accountId} and name = 'alice-reads-acme'`.execute(
      svc.deps.db,
    );
    expect((await check(svc, NamespaceName, "alice", "read", ["spec", "Document"])).Allowed).toBe(true);
    await sql`update permission_namespaces set policy_version = policy_version + 1 where account_id = ${svc.accountId} and name = ${NamespaceName}`.execute(
      svc.deps.db,
    );
    expect((await check(svc, NamespaceName, "alice", "read", ["spec", "Document"])).Allowed).toBe(false);
    await svc.ok("UpdatePolicy", { NamespaceName, PolicyName: "alice-reads-acme", Description: "", Status: "Enabled" });
    expect((await check(svc, NamespaceName, "alice", "read", ["spec", "Document"])).Allowed).toBe(true);
  });

  it("lets a pool user's groups and conditions over the context decide", async () => {
    const { NamespaceName } = await newNamespace(svc);
    const pool = await createPool(svc);
    const { uid } = await newUser(svc, pool);
    const group = await svc.ok("CreateGroup", { UserPoolUid: pool, Name: "editors" });
    await svc.ok("AddUsersToGroup", { UserPoolUid: pool, GroupUid: group.Uid, UserUids: [uid] });
    await svc.ok("CreatePolicy", {
      NamespaceName,
      PolicyName: "editors-in-run",
      Policy: `permit (principal in Group::"${group.Uid}", action, resource) when { context.runID == "run-1" };`,
    });
    expect((await check(svc, NamespaceName, uid, "edit", ["d", "Document"], { Extra: { runID: "run-1" } })).Allowed).toBe(true);
    expect(await check(svc, NamespaceName, uid, "edit", ["d", "Document"], { Extra: { runID: "run-2" } })).toEqual({
      Allowed: false,
      Message: "denied: no policy matched (the conditions of the policies in scope did not hold)",
    });

    // Resource properties are the entity's attributes; a failing condition skips the policy and says so.
    await svc.ok("CreateResource", {
      NamespaceName,
      ResourceKey: "r1",
      ResourceName: "r1",
      ResourceType: "Doc",
      Properties: JSON.stringify({ owner: "carol" }),
    });
    await svc.ok("CreatePolicy", {
      NamespaceName,
      PolicyName: "owners",
      Policy: "permit (principal, action, resource) when { resource.owner == principal.name };",
    });
    const r = await svc.ok("CheckPermission", {
      NamespaceName,
      Principal: { Type: "User", Id: "carol" },
      Operation: { Id: "read" },
      Resource: { Type: "Doc", Id: "r1" },
    });
    expect(r.Allowed).toBe(false);
    expect(r.Message).toMatch(/^denied: no policy matched .*; policy owners was skipped: .*name/);
  });

  it("honours permission points and original callers", async () => {
    const { NamespaceName, NamespaceId } = await newNamespace(svc);
    const point = await svc.ok("CreatePermissionPoint", {
      NamespaceId,
      AuthPointId: "api.read",
      AuthPointLink: "/api",
      AuthPointName: "API",
      AuthPointType: "Api",
      DecisionMode: "Enforce",
      Enabled: true,
    });
    await svc.ok("CreatePolicy", {
      NamespaceName,
      PolicyName: "via-api",
      Policy: 'permit (principal, action, resource) when { context.permissionPoint == "api.read" };',
    });
    const at = { PermissionPointId: point.PermissionPointId };
    expect((await check(svc, NamespaceName, "u", "read", ["d", "Doc"], at)).Allowed).toBe(true);
    expect((await check(svc, NamespaceName, "u", "read", ["d", "Doc"])).Allowed).toBe(false);
    await svc.ok("UpdatePermissionPoint", {
      NamespaceId,
      PermissionPointId: point.PermissionPointId,
      AuthPointId: "api.read",
      AuthPointLink: "/api",
      AuthPointName: "API",
      AuthPointType: "Api",
      DecisionMode: "Enforce",
      Enabled: false,
    });
    expect(await check(svc, NamespaceName, "u", "read", ["d", "Doc"], at)).toEqual({
      Allowed: false,
      Message: "denied: permission point api.read is disabled",
    });
    expect(
      codeOf(
        await svc.call("CheckPermission", {
          NamespaceName,
          Principal: { Type: "User", Id: "u" },
          Operation: { Id: "r" },
          Resource: { Type: "D", Id: "d" },
          PermissionPointId: "nope",
        }),
      ),
    ).toBe("NotFound");

    await svc.ok("GrantPermission", {
      NamespaceName,
      PolicyName: "via-agent",
      Principal: { Type: "User", Id: "v" },
      OriginalCallers: [{ Type: "Agent", Id: "bot" }],
    });
    expect((await check(svc, NamespaceName, "v", "read", ["d", "Doc"], { OriginalCallers: [{ Type: "Agent", Id: "bot" }] })).Allowed).toBe(
      true,
    );
    expect((await check(svc, NamespaceName, "v", "read", ["d", "Doc"])).Allowed).toBe(false);
  });

  it("types bad input", async () => {
    const { NamespaceName } = await newNamespace(svc);
    const base = { NamespaceName, Principal: { Type: "User", Id: "u" }, Operation: { Id: "read" }, Resource: { Type: "Doc", Id: "d" } };
    expect(codeOf(await svc.call("CheckPermission", { ...base, Principal: { Type: "1bad", Id: "u" } }))).toBe(
      "InvalidParameter.Principal.Type",
    );
    expect(codeOf(await svc.call("CheckPermission", { ...base, Resource: undefined }))).toBe("MissingParameter.Resource");
    expect(codeOf(await svc.call("CheckPermission", { ...base, NamespaceName: "nope" }))).toBe("NotFound");
    await svc.ok("CreatePolicy", { NamespaceName, PolicyName: "all", Policy: "permit(principal, action, resource);" });
    const cycle = [
      { Entity: { Type: "Doc", Id: "d" }, Parents: [{ Type: "Doc", Id: "e" }] },
      { Entity: { Type: "Doc", Id: "e" }, Parents: [{ Type: "Doc", Id: "d" }] },
    ];
    expect((await svc.call("CheckPermission", { ...base, References: cycle })).ResponseMetadata.Error).toMatchObject({
      Code: "InvalidParameter.References",
      Message: expect.stringContaining("cycle"),
    });
    const many = Array.from({ length: 51 }, (_, i) => ({ Entity: { Type: "Doc", Id: `d${i}` } }));
    expect(codeOf(await svc.call("CheckPermission", { ...base, References: many }))).toBe("InvalidParameter.References");
  });
});

describe("batch reads", () => {
  it("pages through who may do what on an object, and what a subject may do", async () => {
    const { NamespaceName } = await newNamespace(svc);
    await resourceChain(svc, NamespaceName, [
      ["acme", "Org"],
      ["spec", "Document"],
    ]);
    await svc.ok("GrantPermission", {
      NamespaceName,
      PolicyName: "a-alice",
      Principal: { Type: "User", Id: "alice" },
      Operation: { Id: "read" },
      Resource: { Type: "Org", Id: "acme" },
    });
    await svc.ok("GrantPermission", {
      NamespaceName,
      PolicyName: "b-bob",
      Principal: { Type: "User", Id: "bob" },
      Operation: { Id: "write" },
      Resource: { Type: "Document", Id: "spec" },
    });
    await svc.ok("GrantPermission", {
      NamespaceName,
      PolicyName: "c-deny",
      Effect: "Deny",
      Principal: { Type: "User", Id: "bob" },
      Resource: { Type: "Org", Id: "acme" },
    });
    await svc.ok("CreatePolicy", {
      NamespaceName,
      PolicyName: "d-cond",
      Policy: 'permit (principal == User::"alice", action, resource) when { context.runID == "x" };',
    });

    const objects = await svc.ok("BatchGetObjectPermissions", {
      NamespaceName,
      Tasks: [
        { Object: { Type: "Document", Id: "spec" }, PageSize: 2 },
        { Object: { Type: "Document", Id: "spec" }, PageNumber: 2, PageSize: 2, IncludeConditionalPolicies: true },
        { Object: { Type: "Document", Id: "spec" }, Filter: { Effects: ["Deny"] } },
      ],
    });
    outputOf("BatchGetObjectPermissions").parse(objects);
    const [first, second, denies] = objects.Results;
    expect(first).toMatchObject({ TaskIndex: 0, TotalCount: 3, PageNumber: 1, PageSize: 2 });
    expect(first.Data).toEqual([
      {
        Action: { Type: "Action", Id: "read" },
        Subject: { Type: "User", Id: "alice" },
        Effect: "Allow",
        Condition: "",
        Conditional: false,
        PolicyId: expect.any(String),
        PolicyName: "a-alice",
      },
      {
        Action: { Type: "Action", Id: "write" },
        Subject: { Type: "User", Id: "bob" },
        Effect: "Allow",
        Condition: "",
        Conditional: false,
        PolicyId: expect.any(String),
        PolicyName: "b-bob",
      },
    ]);
    expect(second.TotalCount).toBe(4);
    expect(second.Data.map((d: { PolicyName: string }) => d.PolicyName)).toEqual(["c-deny", "d-cond"]);
    expect(second.Data[1]).toMatchObject({ Conditional: true, Condition: expect.stringContaining('context.runID == "x"') });
    expect(denies.Data).toMatchObject([{ PolicyName: "c-deny", Action: { Id: "*" } }]);

    const subjects = await svc.ok("BatchGetSubjectPermissions", {
      NamespaceName,
      Tasks: [
        { Subject: { Type: "User", Id: "bob" } },
        { Subject: { Type: "User", Id: "bob" }, Filter: { Actions: ["write"], Effects: ["Allow"] } },
      ],
    });
    outputOf("BatchGetSubjectPermissions").parse(subjects);
    expect(subjects.Results[0].Data.map((d: { PolicyName: string; Resource: unknown }) => [d.PolicyName, d.Resource])).toEqual([
      ["b-bob", { Type: "Document", Id: "spec" }],
      ["c-deny", { Type: "Org", Id: "acme" }],
    ]);
    expect(subjects.Results[1].Data.map((d: { PolicyName: string }) => d.PolicyName)).toEqual(["b-bob"]);
    expect(codeOf(await svc.call("BatchGetSubjectPermissions", { NamespaceName, Tasks: [] }))).toBe("MissingParameter.Tasks");
  });
});
