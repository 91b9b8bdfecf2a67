// The policy actions and the checks: CreatePolicy, GrantPermission, Get/Update/Delete/ListPolicies,
// CheckPermission, BatchGetObjectPermissions, BatchGetSubjectPermissions.
import { defineAction } from "../core/action.js";
import { pageResult } from "../core/schemas.js";
import { objectPermissions, subjectPermissions } from "./batch.js";
import { checkPermission } from "./check.js";
import * as p from "./policies.js";
import * as ps from "./policy-schemas.js";
import { successResult } from "./schemas.js";

export const policyActions = [
  defineAction({
    name: "CreatePolicy",
    access: "write",
    errors: ["NotFound", "Duplicated", "QuotaExceeded"],
    summary:
      "Adds a Cedar policy to a namespace, as text (Policy) or from parts (Definition); malformed text is InvalidParameter.Policy with the engine's line, column and message.",
    input: ps.createPolicyInput,
    output: ps.policyOutput,
    handler: (input, ctx) => p.createPolicy(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "GrantPermission",
    access: "write",
    errors: ["NotFound", "Duplicated", "QuotaExceeded"],
    summary: "Writes the policy `permit|forbid (principal in P, action == O, resource in R)`; an omitted part means any.",
    input: ps.grantInput,
    output: ps.policyOutput,
    handler: (input, ctx) => p.grantPermission(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "GetPolicy",
    access: "read",
    errors: ["NotFound"],
    summary: "Returns a policy by name.",
    input: ps.policyRefInput,
    output: ps.policyOutput,
    handler: (input, ctx) => p.getPolicy(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "UpdatePolicy",
    access: "write",
    errors: ["NotFound"],
    summary:
      "Changes a policy's Description and Status (a Disabled policy is never used); the text stays (delete and create to change it).",
    input: ps.updatePolicyInput,
    output: successResult,
    handler: (input, ctx) => p.updatePolicy(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "DeletePolicy",
    access: "write",
    errors: ["NotFound"],
    summary: "Deletes a policy; the next check on any instance no longer uses it.",
    input: ps.policyRefInput,
    output: successResult,
    handler: (input, ctx) => p.deletePolicy(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "ListPolicies",
    access: "read",
    errors: ["NotFound"],
    summary: "Lists a namespace's policies with their Status and Definition, newest first unless SortField/SortDirection say otherwise.",
    input: ps.listPoliciesInput,
    output: pageResult(ps.policyListItem),
    handler: (input, ctx) => p.listPolicies(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "CheckPermission",
    access: "read",
    errors: ["NotFound"],
    summary:
      "Decides whether Principal may do Operation on Resource: deny overrides allow, no applicable policy means deny; Message names the deciding policies.",
    input: ps.checkInput,
    output: ps.checkOutput,
    handler: (input, ctx) => checkPermission(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "BatchGetObjectPermissions",
    access: "read",
    errors: ["NotFound"],
    summary: "Per task, the enabled policies that reach the Object (directly or through an ancestor): who may or may not do what, paged.",
    input: ps.objectTasksInput,
    output: ps.objectTasksOutput,
    handler: (input, ctx) => objectPermissions(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "BatchGetSubjectPermissions",
    access: "read",
    errors: ["NotFound"],
    summary:
      "Per task, the enabled policies that reach the Subject (directly or through its groups and References): what it may or may not do where, paged.",
    input: ps.subjectTasksInput,
    output: ps.subjectTasksOutput,
    handler: (input, ctx) => subjectPermissions(ctx.deps, ctx.accountId, input),
  }),
];
