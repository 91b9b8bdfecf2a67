// The department actions of a user pool (upstream's CreateDepartment family): the tree and its
// members. Directory sync (BatchUpsertDepartments, sync sessions) is in sync-actions.ts.
import { z } from "zod";
import { defineAction } from "../core/action.js";
import { messageResult, pagingInput, uid } from "../core/schemas.js";
import { listFields, listOutput } from "../users/list.js";
import * as members from "./members.js";
import * as read from "./read.js";
import {
  createDepartmentInput,
  deleteDepartmentInput,
  departmentOutput,
  departmentRef,
  listDepartmentsInput,
  listDepartmentsOutput,
  membershipOutput,
  poolRef,
  role,
  treeInput,
  treeOutput,
  updateDepartmentInput,
  userUids,
} from "./schemas.js";
import { syncActions } from "./sync-actions.js";
import * as tree from "./tree.js";

/** AddUsersToDepartment and RemoveUsersFromDepartment: one department, 1-100 users, a Message saying how many changed. */
const membershipChange = (
  name: string,
  errors: ("NotFound" | "QuotaExceeded")[],
  summary: string,
  verb: string,
  run: typeof members.addUsersToDepartment,
) =>
  defineAction({
    name,
    access: "write",
    errors,
    summary,
    input: z.object({ ...departmentRef, UserUids: userUids }),
    output: messageResult,
    handler: async (input, ctx) => ({
      Message: `${await run(ctx.deps, ctx.accountId, input)} users ${verb} department ${input.DepartmentUid}`,
    }),
  });

// ListUsers' request less sorting and response options and the cursor, as upstream's ListUsersInDepartment has it.
const {
  SortField: _s,
  SortDirection: _d,
  ResponseValueMask: _m,
  ResponseValueNull: _n,
  NextToken: _t,
  MaxResults: _r,
  ...inDepartmentFields
} = listFields;
const { NextToken: _nt, MaxResults: _mr, ...inDepartmentOutput } = listOutput.shape;

export const departmentActions = [
  defineAction({
    name: "CreateDepartment",
    access: "write",
    errors: ["NotFound", "Duplicated", "QuotaExceeded"],
    summary: 'Creates a department under ParentDepartmentUid ("0": at the top level); at most 32 levels deep.',
    input: createDepartmentInput,
    output: departmentOutput,
    handler: (input, ctx) => tree.createDepartment(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "GetDepartment",
    access: "read",
    errors: ["NotFound"],
    summary: "Returns one department with its counts.",
    input: z.object(departmentRef),
    output: departmentOutput,
    handler: (input, ctx) => tree.getDepartment(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "UpdateDepartment",
    access: "write",
    errors: ["NotFound"],
    summary:
      "Changes a department's fields; a new ParentDepartmentUid moves it with everything below it (never under itself or its own subtree: InvalidParameter.ParentDepartmentUid).",
    input: updateDepartmentInput,
    output: departmentOutput,
    handler: (input, ctx) => tree.updateDepartment(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "DeleteDepartment",
    access: "write",
    errors: ["NotFound"],
    summary:
      "Deletes a department; one with departments below it only with ForceDeleteChildren, one with members only with a MemberPolicy (Remove or MoveToParent) or ForceDeleteMembers. Users are never deleted.",
    input: deleteDepartmentInput,
    output: messageResult,
    handler: async (input, ctx) => {
      const r = await tree.deleteDepartment(ctx.deps, ctx.accountId, input);
      return {
        Message: `${r.departments} departments deleted, ${r.memberships} memberships ${input.MemberPolicy === "MoveToParent" ? "moved to the parent" : "removed"}`,
      };
    },
  }),
  defineAction({
    name: "ListDepartments",
    access: "read",
    errors: ["NotFound"],
    summary:
      'Lists the direct children of ParentDepartmentUid ("0": the top-level departments), lowest Precedence first unless SortField/SortDirection say otherwise.',
    input: listDepartmentsInput,
    output: listDepartmentsOutput,
    handler: (input, ctx) => read.listDepartments(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "BatchGetDepartments",
    access: "read",
    errors: ["NotFound"],
    summary: "Up to 100 departments by uid, keyed by uid; uids naming no department of the pool are left out.",
    input: z.object({ ...poolRef, DepartmentUids: z.array(uid()).min(1).max(100) }),
    output: z.object({ DepartmentsByUid: z.record(z.string(), departmentOutput) }),
    handler: (input, ctx) => read.batchGetDepartments(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "GetDepartmentTree",
    access: "read",
    errors: ["NotFound"],
    summary:
      'The departments below RootDepartmentUid ("0": the whole pool) as a tree, each level by Precedence; MaxDepth levels, optionally filtered.',
    input: treeInput,
    output: treeOutput,
    handler: (input, ctx) => read.getDepartmentTree(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "GetDepartmentPath",
    access: "read",
    errors: ["NotFound"],
    summary: "The departments from the top level down to this one (itself last).",
    input: z.object(departmentRef),
    output: z.object({ Path: z.array(departmentOutput) }),
    handler: (input, ctx) => read.getDepartmentPath(ctx.deps, ctx.accountId, input),
  }),
  membershipChange(
    "AddUsersToDepartment",
    ["NotFound", "QuotaExceeded"],
    "Adds up to 100 users of the pool to a department, all or none; users already in it stay as they are.",
    "added to",
    members.addUsersToDepartment,
  ),
  membershipChange(
    "RemoveUsersFromDepartment",
    ["NotFound"],
    "Removes up to 100 users from a department; users not in it are left as they are.",
    "removed from",
    members.removeUsersFromDepartment,
  ),
  defineAction({
    name: "ChangeUsersDepartment",
    access: "write",
    errors: ["NotFound"],
    summary:
      "Moves up to 100 members of OriginDepartmentUid to NewDepartmentUid, keeping IsPrimary and Role; each must be a member of the origin.",
    input: z.object({ ...poolRef, OriginDepartmentUid: uid(), NewDepartmentUid: uid(), UserUids: userUids }),
    output: messageResult,
    handler: async (input, ctx) => ({
      Message: `${await members.changeUsersDepartment(ctx.deps, ctx.accountId, input)} users moved to department ${input.NewDepartmentUid}`,
    }),
  }),
  defineAction({
    name: "UpdateDepartmentMember",
    access: "write",
    errors: ["NotFound"],
    summary: "Sets a member's IsPrimary (a user has at most one primary department: setting it moves the mark) and Role.",
    input: z.object({ ...departmentRef, UserUid: uid(), IsPrimary: z.boolean().optional(), Role: role.optional() }),
    output: messageResult,
    handler: async (input, ctx) => {
      await members.updateDepartmentMember(ctx.deps, ctx.accountId, input);
      return { Message: `member ${input.UserUid} of department ${input.DepartmentUid} updated` };
    },
  }),
  defineAction({
    name: "ListDepartmentMembers",
    access: "read",
    errors: ["NotFound"],
    summary: "The direct members of a department (oldest membership first), optionally only primary ones or one Role.",
    input: z.object({ ...departmentRef, ...pagingInput, IsPrimary: z.boolean().optional(), Role: role.optional() }),
    output: z.object({
      Members: z.array(z.object({ UserUid: z.string(), IsPrimary: z.boolean(), Role: z.string() })),
      PageNumber: z.number().int(),
      PageSize: z.number().int(),
      TotalCount: z.number().int(),
    }),
    handler: (input, ctx) => members.listDepartmentMembers(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "ListUsersInDepartment",
    access: "read",
    errors: ["NotFound"],
    summary:
      "ListUsers within one department (newest first, the same Filter); with Filter.DepartmentUidRecursive the members of the departments below it too, each user once.",
    input: z.object({ ...inDepartmentFields, DepartmentUid: uid() }),
    output: z.object(inDepartmentOutput),
    handler: (input, ctx) => members.listUsersInDepartment(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "ListDepartmentsForUser",
    access: "read",
    errors: ["NotFound"],
    summary: "The departments a user is in (the primary one first, then by Precedence), with IsPrimary and Role.",
    input: z.object({ ...poolRef, UserUid: uid() }),
    output: z.object({ Departments: z.array(membershipOutput) }),
    handler: async (input, ctx) => ({
      Departments: (await members.departmentsForUsers(ctx.deps, ctx.accountId, input.UserPoolUid, [input.UserUid]))[0]!.Departments,
    }),
  }),
  defineAction({
    name: "BatchListDepartmentsForUsers",
    access: "read",
    errors: ["NotFound"],
    summary: "For each of up to 100 users, in the order given, its departments as ListDepartmentsForUser answers them.",
    input: z.object({ ...poolRef, UserUids: userUids }),
    output: z.object({ Users: z.array(z.object({ UserUid: z.string(), Departments: z.array(membershipOutput) })) }),
    handler: async (input, ctx) => ({
      Users: await members.departmentsForUsers(ctx.deps, ctx.accountId, input.UserPoolUid, input.UserUids),
    }),
  }),
  ...syncActions,
];
