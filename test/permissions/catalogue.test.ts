// Permission namespaces, resources, actions and permission points end to end through the official
// SDK: every catalogue action with upstream's fields, the resource tree (paths, moves, depth bound,
// cycles), another account's namespace as NotFound, readonly keys refused on writes, bad input typed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { permissionActions } from "../../src/permissions/actions.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { newNamespace, resourceChain } from "../support/families/permissions.js";

const outputOf = (name: string) => permissionActions.find((a) => a.name === name)!.output;
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

describe("namespaces", () => {
  it("creates, gets, lists, updates and deletes with Trn, tags and project", async () => {
    const created = await svc.ok("CreateNamespace", {
      NamespaceName: "app-one",
      Description: "first",
      ProjectName: "proj",
      Tags: [{ Key: "env", Value: "prod" }],
      Associates: ["a", "b"],
    });
    outputOf("CreateNamespace").parse(created);
    expect(created).toMatchObject({
      NamespaceName: "app-one",
      Description: "first",
      ProjectName: "proj",
      Tags: [{ Key: "env", Value: "prod" }],
      Associates: "a,b",
    });
    expect(created.Trn).toBe(`trn:id:cn-beijing:${svc.accountId}:namespace/${created.NamespaceId}`);
    const got = await svc.ok("GetNamespace", { NamespaceName: "app-one" }, { key: svc.readonly });
    outputOf("GetNamespace").parse(got);
    expect(got).toEqual({ ...created, Associates: ["a", "b"] });
    expect(await svc.ok("GetNamespace", { NamespaceId: created.NamespaceId })).toEqual(got);
    expect(codeOf(await svc.call("CreateNamespace", { NamespaceName: "app-one" }))).toBe("Duplicated");

    const list = await svc.ok("ListNamespaces", { TagFilters: [{ Key: "env", Values: ["prod"] }], Filter: { Trn: created.Trn } });
    outputOf("ListNamespaces").parse(list);
    expect(list.Namespaces.map((n: { NamespaceName: string }) => n.NamespaceName)).toEqual(["app-one"]);
    expect((await svc.ok("ListNamespaces", { Filter: { Trn: "trn:id:cn-beijing:1:namespace/x" } })).TotalCount).toBe(0);
    expect((await svc.ok("ListNamespaces", { ProjectName: "proj" })).TotalCount).toBe(1);

    expect(await svc.ok("UpdateNamespace", { NamespaceName: "app-one", Description: "changed", Associates: [] })).toEqual({
      Success: true,
      Message: "namespace app-one updated",
    });
    expect(await svc.ok("GetNamespace", { NamespaceName: "app-one" })).toMatchObject({ Description: "changed", Associates: [] });
    expect((await svc.ok("DeleteNamespace", { NamespaceName: "app-one" })).Success).toBe(true);
    expect((await svc.call("GetNamespace", { NamespaceName: "app-one" })).ResponseMetadata.Error).toMatchObject({
      Code: "NotFound",
      Message: "resource Namespace app-one does not exist",
    });
  });

  it("keeps another account's namespaces out of sight", async () => {
    const { NamespaceName } = await newNamespace(svc);
    for (const [action, params] of [
      ["GetNamespace", { NamespaceName }],
      [
        "CheckPermission",
        { NamespaceName, Principal: { Type: "User", Id: "u" }, Operation: { Id: "read" }, Resource: { Type: "Doc", Id: "d" } },
      ],
      ["CreatePolicy", { NamespaceName, PolicyName: "p", Policy: "permit(principal, action, resource);" }],
    ] as const) {
      expect(codeOf(await svc.call(action, params, { key: svc.otherAdmin }))).toBe("NotFound");
    }
    expect((await svc.ok("ListNamespaces", {}, { key: svc.otherAdmin })).Namespaces).toEqual([]);
  });

  it("refuses readonly keys on writes", async () => {
    expect(codeOf(await svc.call("CreateNamespace", { NamespaceName: "ro" }, { key: svc.readonly }))).toBe("AccessDenied");
  });

  it("types bad input", async () => {
    expect(codeOf(await svc.call("CreateNamespace", { NamespaceName: "has space" }))).toBe("InvalidParameter.NamespaceName");
    expect(codeOf(await svc.call("CreateNamespace", {}))).toBe("MissingParameter.NamespaceName");
    expect(codeOf(await svc.call("GetNamespace", {}))).toBe("MissingParameter.NamespaceName");
  });
});

describe("resources", () => {
  it("builds a tree with paths, moves subtrees, bounds depth and refuses cycles", async () => {
    const { NamespaceName, NamespaceId } = await newNamespace(svc);
    await resourceChain(svc, NamespaceName, [
      ["org", "Org"],
      ["team", "Team"],
      ["doc", "Document"],
    ]);
    const doc = await svc.ok("GetResource", { NamespaceName, ResourceKey: "doc" });
    outputOf("GetResource").parse(doc);
    expect(doc).toMatchObject({
      ResourceKey: "doc",
      ResourceType: "Document",
      ParentResourceKey: "team",
      Path: "/org/team/doc",
      Enabled: true,
      NamespaceId,
    });

    await svc.ok("CreateResource", {
      NamespaceName,
      ResourceKey: "other",
      ResourceName: "Other",
      ResourceType: "Org",
      Properties: '{"tier":"gold"}',
    });
    const moved = await svc.ok("UpdateResource", {
      NamespaceName,
      ResourceKey: "team",
      ParentResourceKey: "other",
      ResourceName: "Team 2",
    });
    outputOf("UpdateResource").parse(moved);
    expect(moved).toMatchObject({ Path: "/other/team", ResourceName: "Team 2" });
    expect((await svc.ok("GetResource", { NamespaceName, ResourceKey: "doc" })).Path).toBe("/other/team/doc");
    expect(codeOf(await svc.call("UpdateResource", { NamespaceName, ResourceKey: "other", ParentResourceKey: "doc" }))).toBe(
      "InvalidParameter.ParentResourceKey",
    );
    expect((await svc.ok("UpdateResource", { NamespaceName, ResourceKey: "team", ParentResourceKey: "" })).Path).toBe("/team");

    const list = await svc.ok("ListResources", { NamespaceName, ParentResourceKey: "team" }, { key: svc.readonly });
    outputOf("ListResources").parse(list);
    expect(list.Data.map((r: { ResourceKey: string }) => r.ResourceKey)).toEqual(["doc"]);
    expect((await svc.ok("ListResources", { NamespaceName, ResourceType: "Org" })).TotalCount).toBe(2);

    expect(codeOf(await svc.call("DeleteResource", { NamespaceName, ResourceKey: "team" }))).toBe("InvalidRequest");
    expect(await svc.ok("DeleteResource", { NamespaceName, ResourceKey: "doc" })).toEqual({
      Success: true,
      Message: "resource doc deleted",
    });
    expect(codeOf(await svc.call("GetResource", { NamespaceName, ResourceKey: "doc" }))).toBe("NotFound");
  });

  it("bounds the depth at 10 levels", async () => {
    const { NamespaceName } = await newNamespace(svc);
    await resourceChain(
      svc,
      NamespaceName,
      Array.from({ length: 10 }, (_, i) => [`n${i}`, "Node"] as [string, string]),
    );
    const env = await svc.call("CreateResource", {
      NamespaceName,
      ResourceKey: "n10",
      ResourceName: "n10",
      ResourceType: "Node",
      ParentResourceKey: "n9",
    });
    expect(env.ResponseMetadata.Error).toMatchObject({
      Code: "InvalidParameter.ParentResourceKey",
      Message: "the resource tree may be at most 10 levels deep",
    });
    await resourceChain(svc, NamespaceName, [
      ["m0", "Node"],
      ["m1", "Node"],
    ]);
    expect(codeOf(await svc.call("UpdateResource", { NamespaceName, ResourceKey: "m0", ParentResourceKey: "n8" }))).toBe(
      "InvalidParameter.ParentResourceKey",
    );
  });

  it("types bad input", async () => {
    const { NamespaceName } = await newNamespace(svc);
    const base = { NamespaceName, ResourceKey: "k", ResourceName: "k", ResourceType: "Doc" };
    expect(codeOf(await svc.call("CreateResource", { ...base, ResourceType: "not a type" }))).toBe("InvalidParameter.ResourceType");
    expect(codeOf(await svc.call("CreateResource", { ...base, ResourceType: "if" }))).toBe("InvalidParameter.ResourceType");
    expect(codeOf(await svc.call("CreateResource", { ...base, ResourceKey: "a/b" }))).toBe("InvalidParameter.ResourceKey");
    expect(codeOf(await svc.call("CreateResource", { ...base, Properties: "[1]" }))).toBe("InvalidParameter.Properties");
    expect(codeOf(await svc.call("CreateResource", { ...base, Properties: '{"x": 1.5}' }))).toBe("InvalidParameter.Properties");
    expect(codeOf(await svc.call("CreateResource", { ...base, ParentResourceKey: "nope" }))).toBe("NotFound");
  });
});

describe("actions and permission points", () => {
  it("creates, gets, updates, lists and deletes actions", async () => {
    const { NamespaceName, NamespaceId } = await newNamespace(svc);
    const a = await svc.ok("CreateAction", {
      NamespaceName,
      ActionKey: "read",
      ActionName: "Read",
      ResourceType: "Document",
      Description: "d",
    });
    outputOf("CreateAction").parse(a);
    expect(a).toMatchObject({ ActionKey: "read", ActionName: "Read", ResourceType: "Document", Enabled: true, NamespaceId });
    expect(
      codeOf(await svc.call("CreateAction", { NamespaceName, ActionKey: "read", ActionName: "Again", ResourceType: "Document" })),
    ).toBe("Duplicated");
    await svc.ok("CreateAction", { NamespaceName, ActionKey: "read", ActionName: "Read", ResourceType: "Folder" });
    expect(await svc.ok("GetAction", { ActionId: a.ActionId })).toEqual(a);
    expect((await svc.ok("UpdateAction", { ActionId: a.ActionId, Description: "new" })).Description).toBe("new");
    const list = await svc.ok("ListActions", { NamespaceName, ResourceType: "Document" });
    outputOf("ListActions").parse(list);
    expect(list.TotalCount).toBe(1);
    expect((await svc.ok("DeleteAction", { ActionId: a.ActionId })).Success).toBe(true);
    expect(codeOf(await svc.call("GetAction", { ActionId: a.ActionId }))).toBe("NotFound");
  });

  it("creates, gets, updates, lists and deletes permission points", async () => {
    const { NamespaceId } = await newNamespace(svc);
    const fields = {
      NamespaceId,
      AuthPointId: "orders.read",
      AuthPointLink: "/orders",
      AuthPointName: "Read orders",
      AuthPointType: "Api",
      DecisionMode: "Enforce",
      Enabled: true,
    };
    const p = await svc.ok("CreatePermissionPoint", fields);
    outputOf("CreatePermissionPoint").parse(p);
    expect(p).toMatchObject({ ...fields, PermissionPointId: expect.any(String) });
    expect(await svc.ok("GetPermissionPoint", { PermissionPointId: p.PermissionPointId })).toEqual(p);
    expect(await svc.ok("GetPermissionPoint", { NamespaceId, AuthPointId: "orders.read" })).toEqual(p);
    expect(codeOf(await svc.call("GetPermissionPoint", {}))).toBe("MissingParameter.PermissionPointId");
    expect((await svc.ok("UpdatePermissionPoint", { ...fields, PermissionPointId: p.PermissionPointId, Enabled: false })).Success).toBe(
      true,
    );
    const list = await svc.ok("ListPermissionPoints", { NamespaceId });
    outputOf("ListPermissionPoints").parse(list);
    expect(list.PermissionPoints).toMatchObject([{ AuthPointId: "orders.read", Enabled: false }]);
    expect((await svc.ok("DeletePermissionPoint", { PermissionPointId: p.PermissionPointId })).Success).toBe(true);
    expect(codeOf(await svc.call("DeletePermissionPoint", { PermissionPointId: p.PermissionPointId }))).toBe("NotFound");
  });
});
