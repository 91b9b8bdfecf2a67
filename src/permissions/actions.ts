// The permission actions (upstream phase 5): namespaces, resources, actions and permission points
// here; policies, GrantPermission and the checks in policy-actions.ts. The registry imports the
// whole family from this file.
import { z } from "zod";
import { defineAction } from "../core/action.js";
import { pageResult } from "../core/schemas.js";
import { policyActions } from "./policy-actions.js";
import * as s from "./schemas.js";
import * as catalogue from "./catalogue.js";
import * as svc from "./service.js";

const listOf = <T extends z.ZodType>(item: T) => pageResult(item).describe("Data: the items (upstream's result names no list)");

const catalogActions = [
  defineAction({
    name: "CreateNamespace",
    access: "write",
    accountWide: true,
    errors: ["Duplicated", "QuotaExceeded"],
    summary: "Creates a permission namespace of the account (unique NamespaceName, at most 100 per account).",
    input: s.createNamespaceInput,
    output: s.createNamespaceOutput,
    handler: (input, ctx) => svc.createNamespace(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "GetNamespace",
    access: "read",
    errors: ["NotFound"],
    summary: "Returns a namespace by NamespaceName or NamespaceId.",
    input: s.getNamespaceInput,
    output: s.namespaceOutput,
    handler: (input, ctx) => svc.getNamespace(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "UpdateNamespace",
    access: "write",
    errors: ["NotFound"],
    summary: "Changes a namespace's Description or Associates; omitted fields stay.",
    input: s.updateNamespaceInput,
    output: s.successResult,
    handler: (input, ctx) => svc.updateNamespace(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "DeleteNamespace",
    access: "write",
    errors: ["NotFound"],
    summary: "Deletes a namespace with its resources, actions, permission points and policies.",
    input: z.object({ NamespaceName: s.namespaceName }),
    output: s.successResult,
    handler: (input, ctx) => svc.deleteNamespace(ctx.deps, ctx.accountId, input.NamespaceName),
  }),
  defineAction({
    name: "ListNamespaces",
    access: "read",
    accountWide: true,
    errors: [],
    summary:
      "Lists the account's namespaces, newest first unless SortField/SortDirection say otherwise; Filter.Name and Description match a substring, Id and Trn exactly.",
    input: s.listNamespacesInput,
    output: z.object({
      Namespaces: z.array(s.namespaceOutput.omit({ Associates: true })),
      PageNumber: z.number().int(),
      PageSize: z.number().int(),
      TotalCount: z.number().int(),
    }),
    handler: (input, ctx) => svc.listNamespaces(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "CreateResource",
    access: "write",
    errors: ["NotFound", "Duplicated", "QuotaExceeded"],
    summary:
      'Registers a resource (a Cedar entity ResourceType::"ResourceKey") under ParentResourceKey; a grant on a parent applies to its descendants. Trees are at most 10 levels deep.',
    input: s.createResourceInput,
    output: s.resourceOutput,
    handler: (input, ctx) => svc.createResource(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "GetResource",
    access: "read",
    errors: ["NotFound"],
    summary: "Returns a resource by its key.",
    input: s.resourceRefInput,
    output: s.resourceOutput,
    handler: (input, ctx) => svc.getResource(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "UpdateResource",
    access: "write",
    errors: ["NotFound"],
    summary: "Changes a resource's name, description, properties or parent (moving its subtree); omitted fields stay.",
    input: s.updateResourceInput,
    output: s.resourceOutput,
    handler: (input, ctx) => svc.updateResource(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "DeleteResource",
    access: "write",
    errors: ["NotFound"],
    summary: "Deletes a resource without children (InvalidRequest while it has some).",
    input: s.resourceRefInput,
    output: s.successResult,
    handler: (input, ctx) => svc.deleteResource(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "ListResources",
    access: "read",
    errors: ["NotFound"],
    summary: "Lists a namespace's resources by key, optionally the children of ParentResourceKey or of one ResourceType.",
    input: s.listResourcesInput,
    output: listOf(s.resourceOutput),
    handler: (input, ctx) => svc.listResources(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "CreateAction",
    access: "write",
    errors: ["NotFound", "Duplicated"],
    summary: "Registers an action (ActionKey, unique per ResourceType) of a namespace: a catalogue entry; checks name actions by id.",
    input: s.createActionInput,
    output: s.actionOutput,
    handler: (input, ctx) => catalogue.createAction(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "GetAction",
    access: "read",
    errors: ["NotFound"],
    summary: "Returns an action by ActionId.",
    input: s.actionIdInput,
    output: s.actionOutput,
    handler: (input, ctx) => catalogue.getAction(ctx.deps, ctx.accountId, input.ActionId),
  }),
  defineAction({
    name: "UpdateAction",
    access: "write",
    errors: ["NotFound"],
    summary: "Changes an action's Description.",
    input: s.updateActionInput,
    output: s.actionOutput,
    handler: (input, ctx) => catalogue.updateAction(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "DeleteAction",
    access: "write",
    errors: ["NotFound"],
    summary: "Deletes an action (policies naming it stay).",
    input: s.actionIdInput,
    output: s.successResult,
    handler: (input, ctx) => catalogue.deleteAction(ctx.deps, ctx.accountId, input.ActionId),
  }),
  defineAction({
    name: "ListActions",
    access: "read",
    errors: ["NotFound"],
    summary: "Lists a namespace's actions, optionally of one ResourceType.",
    input: s.listActionsInput,
    output: listOf(s.actionOutput),
    handler: (input, ctx) => catalogue.listActions(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "CreatePermissionPoint",
    access: "write",
    errors: ["NotFound", "Duplicated"],
    summary:
      "Registers a permission point (AuthPointId unique in the namespace); a check naming it gets its AuthPointId as context.permissionPoint, and is denied while it is disabled.",
    input: s.createPointInput,
    output: s.pointOutput,
    handler: (input, ctx) => catalogue.createPoint(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "GetPermissionPoint",
    access: "read",
    errors: ["NotFound"],
    summary: "Returns a permission point by PermissionPointId, or by NamespaceId and AuthPointId.",
    input: s.getPointInput,
    output: s.pointOutput,
    handler: (input, ctx) => catalogue.getPoint(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "UpdatePermissionPoint",
    access: "write",
    errors: ["NotFound", "Duplicated"],
    summary: "Replaces a permission point's fields.",
    input: s.updatePointInput,
    output: s.successResult,
    handler: (input, ctx) => catalogue.updatePoint(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "DeletePermissionPoint",
    access: "write",
    errors: ["NotFound"],
    summary: "Deletes a permission point.",
    input: s.pointIdInput,
    output: s.successResult,
    handler: (input, ctx) => catalogue.deletePoint(ctx.deps, ctx.accountId, input.PermissionPointId),
  }),
  defineAction({
    name: "ListPermissionPoints",
    access: "read",
    errors: ["NotFound"],
    summary: "Lists a namespace's permission points by AuthPointId.",
    input: s.listPointsInput,
    output: z.object({
      PermissionPoints: z.array(s.pointOutput),
      PageNumber: z.number().int(),
      PageSize: z.number().int(),
      TotalCount: z.number().int(),
    }),
    handler: (input, ctx) => catalogue.listPoints(ctx.deps, ctx.accountId, input),
  }),
];

export const permissionActions = [...catalogActions, ...policyActions];
