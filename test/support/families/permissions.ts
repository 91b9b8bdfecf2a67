// Test helpers of the permissions family (a namespace, a resource chain, a policy) and its cases for
// the shared security suite: every permission action with params naming the service's own objects.
import type { TestService } from "../harness.js";
import type { CrossAccountCase } from "../security-cases.js";
import { uniqueName } from "./user-pools.js";

/** A fresh namespace; returns its name and id. */
export async function newNamespace(svc: TestService, fields: Record<string, unknown> = {}) {
  const ns = await svc.ok("CreateNamespace", { NamespaceName: uniqueName("ns"), ...fields });
  return { NamespaceName: ns.NamespaceName as string, NamespaceId: ns.NamespaceId as string, ns };
}

/** Registers resources root-first: each [key, type] is the child of the one before it. */
export async function resourceChain(svc: TestService, NamespaceName: string, chain: [string, string][]) {
  let parent: string | undefined;
  for (const [ResourceKey, ResourceType] of chain) {
    await svc.ok("CreateResource", {
      NamespaceName,
      ResourceKey,
      ResourceName: ResourceKey,
      ResourceType,
      ...(parent ? { ParentResourceKey: parent } : {}),
    });
    parent = ResourceKey;
  }
}

export const check = async (
  svc: TestService,
  NamespaceName: string,
  principal: string,
  action: string,
  resource: [string, string],
  extra: Record<string, unknown> = {},
) =>
  (await svc.ok("CheckPermission", {
    NamespaceName,
    Principal: { Type: "User", Id: principal },
    Operation: { Id: action },
    Resource: { Type: resource[1], Id: resource[0] },
    ...extra,
  })) as {
    Allowed: boolean;
    Message: string;
  };

const nsOnly = async (svc: TestService) => ({ NamespaceName: (await newNamespace(svc)).NamespaceName });
const withResource = async (svc: TestService) => {
  const { NamespaceName } = await newNamespace(svc);
  await resourceChain(svc, NamespaceName, [["doc1", "Document"]]);
  return { NamespaceName, ResourceKey: "doc1" };
};
const withPolicy = async (svc: TestService) => {
  const { NamespaceName } = await newNamespace(svc);
  await svc.ok("CreatePolicy", { NamespaceName, PolicyName: "p1", Policy: "permit(principal, action, resource);" });
  return { NamespaceName, PolicyName: "p1" };
};
const withAction = async (svc: TestService) => {
  const { NamespaceName } = await newNamespace(svc);
  const a = await svc.ok("CreateAction", { NamespaceName, ActionKey: "read", ActionName: "Read", ResourceType: "Document" });
  return { ActionId: a.ActionId as string };
};
const point = {
  AuthPointId: "ap1",
  AuthPointLink: "/x",
  AuthPointName: "Point",
  AuthPointType: "Api",
  DecisionMode: "Enforce",
  Enabled: true,
};
const withPoint = async (svc: TestService) => {
  const { NamespaceId } = await newNamespace(svc);
  const p = await svc.ok("CreatePermissionPoint", { NamespaceId, ...point });
  return { NamespaceId, PermissionPointId: p.PermissionPointId as string };
};
const entity = { Type: "User", Id: "alice" };

export const crossAccountCases: CrossAccountCase[] = [
  ...["GetNamespace", "DeleteNamespace", "ListResources", "ListActions", "ListPolicies"].map((action) => ({ action, params: nsOnly })),
  { action: "UpdateNamespace", params: async (svc) => ({ ...(await nsOnly(svc)), Description: "x" }) },
  {
    action: "CreateResource",
    params: async (svc) => ({ ...(await nsOnly(svc)), ResourceKey: "k", ResourceName: "k", ResourceType: "Document" }),
  },
  ...["GetResource", "DeleteResource"].map((action) => ({ action, params: withResource })),
  { action: "UpdateResource", params: async (svc) => ({ ...(await withResource(svc)), ResourceName: "renamed" }) },
  {
    action: "CreateAction",
    params: async (svc) => ({ ...(await nsOnly(svc)), ActionKey: "read", ActionName: "Read", ResourceType: "Document" }),
  },
  ...["GetAction", "DeleteAction"].map((action) => ({ action, params: withAction })),
  { action: "UpdateAction", params: async (svc) => ({ ...(await withAction(svc)), Description: "x" }) },
  { action: "CreatePermissionPoint", params: async (svc) => ({ NamespaceId: (await newNamespace(svc)).NamespaceId, ...point }) },
  ...["GetPermissionPoint", "DeletePermissionPoint"].map((action) => ({
    action,
    params: async (svc: TestService) => ({ PermissionPointId: (await withPoint(svc)).PermissionPointId }),
  })),
  { action: "UpdatePermissionPoint", params: async (svc) => ({ ...(await withPoint(svc)), ...point }) },
  { action: "ListPermissionPoints", params: async (svc) => ({ NamespaceId: (await newNamespace(svc)).NamespaceId }) },
  {
    action: "CreatePolicy",
    params: async (svc) => ({ ...(await nsOnly(svc)), PolicyName: "p", Policy: "permit(principal, action, resource);" }),
  },
  { action: "GrantPermission", params: async (svc) => ({ ...(await nsOnly(svc)), Principal: entity, Operation: { Id: "read" } }) },
  ...["GetPolicy", "DeletePolicy"].map((action) => ({ action, params: withPolicy })),
  { action: "UpdatePolicy", params: async (svc) => ({ ...(await withPolicy(svc)), Description: "x", Status: "Disabled" }) },
  {
    action: "CheckPermission",
    params: async (svc) => ({
      NamespaceName: (await withPolicy(svc)).NamespaceName,
      Principal: entity,
      Operation: { Id: "read" },
      Resource: { Type: "Document", Id: "d" },
    }),
  },
  {
    action: "BatchGetObjectPermissions",
    params: async (svc) => ({ NamespaceName: (await withPolicy(svc)).NamespaceName, Tasks: [{ Object: { Type: "Document", Id: "d" } }] }),
  },
  {
    action: "BatchGetSubjectPermissions",
    params: async (svc) => ({ NamespaceName: (await withPolicy(svc)).NamespaceName, Tasks: [{ Subject: entity }] }),
  },
];
