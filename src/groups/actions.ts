// The group actions of a user pool (upstream's CreateGroup family): groups, their members, and the
// user's side (ListGroupsForUser(s)); ListUsersInGroup is ListUsers within one group.
import { z } from "zod";
import { defineAction } from "../core/action.js";
import type { AppDeps } from "../deps.js";
import { messageResult, pageResult, pagingInput, requiredText, timeString, uid } from "../core/schemas.js";
import { listFields, listOutput, onePagingStyle } from "../users/list.js";
import * as members from "./members.js";
import { GROUP_SORTS } from "./queries.js";
import * as groups from "./service.js";

const poolRef = { UserPoolUid: uid() };
const groupRef = { ...poolRef, GroupUid: uid() };

const I32 = { min: -2_147_483_648, max: 2_147_483_647 };
const writable = {
  Description: z.string().trim().max(2048).optional(),
  Precedence: z.number().int().min(I32.min).max(I32.max).describe("lower comes first in a user's GroupUids; default 0").optional(),
  IamRoleTrn: z
    .string()
    .trim()
    .max(256)
    .regex(/^(trn:iam::[0-9]{1,20}:role\/[A-Za-z0-9+=,.@_-]{1,64})?$/, "must be an IAM role TRN such as trn:iam::2100000001:role/reader, or \"\"")
    .describe("stored and answered; idplane assumes no role")
    .optional(),
};

export const createGroupInput = z.object({
  ...poolRef,
  Name: requiredText(128).regex(/^[^\p{C}]+$/u, "no control characters").describe("unique in the pool, case-insensitively"),
  ...writable,
});
export const updateGroupInput = z.object({ ...groupRef, ...writable });

const groupFields = {
  Uid: z.string(),
  UserPoolUid: z.string(),
  Name: z.string(),
  Description: z.string(),
  Precedence: z.number().int(),
  IamRoleTrn: z.string(),
  GroupIdTokenName: z.string().describe("the Name, as a token's group claim carries it"),
  Source: z.string().describe("\"Manual\": made through the API"),
  CreateTime: timeString,
  UpdateTime: timeString,
};
export const groupOutput = z.object(groupFields);
export const groupListItem = z.object({ ...groupFields, TotalCountOfGroupMember: z.number().int() });

export const groupFilter = z
  .object({
    Name: z.string().trim().max(128),
    NameMatchMode: z.number().int().min(0).max(1).describe("0 (default): Name is a substring, case-insensitively; 1: the whole name, case-insensitively"),
    Description: z.string().trim().max(2048).describe("a substring, case-insensitively"),
    GroupIdTokenName: z.string().trim().max(128).describe("the whole name, case-insensitively"),
    Source: z.string().trim().max(64),
    GroupUidsOr: z.array(uid()).max(100),
  })
  .partial()
  .optional();

export const listGroupsInput = z.object({
  ...poolRef,
  ...pagingInput,
  Filter: groupFilter,
  SortField: z.enum(Object.keys(GROUP_SORTS) as [keyof typeof GROUP_SORTS]).describe("Precedence (default), Name, CreateTime or UpdateTime").optional(),
  SortDirection: z.enum(["Asc", "Desc"]).describe("default Asc for Precedence and Name, Desc for times").optional(),
});
export const listGroupsForUserInput = listGroupsInput.extend({ UserUid: uid() });

const userUids = z.array(uid()).min(1).max(100);

// ListUsers' request less what upstream's ListUsersInGroup does not have (sorting, response options).
const { SortField: _s, SortDirection: _d, ResponseValueMask: _m, ResponseValueNull: _n, ...inGroupFields } = listFields;
export const listUsersInGroupInput = z.object({ ...inGroupFields, GroupUid: uid() }).refine(...onePagingStyle);

/** AddUsersToGroup and RemoveUsersFromGroup: one group, 1-100 users, a Message saying how many changed. */
const membershipChange = (
  name: string,
  errors: ("NotFound" | "QuotaExceeded")[],
  summary: string,
  verb: string,
  run: (deps: AppDeps, accountId: string, input: { UserPoolUid: string; GroupUid: string; UserUids: string[] }) => Promise<number>,
) =>
  defineAction({
    name,
    access: "write",
    errors,
    summary,
    input: z.object({ ...groupRef, UserUids: userUids }),
    output: messageResult,
    handler: async (input, ctx) => ({ Message: `${await run(ctx.deps, ctx.accountId, input)} users ${verb} group ${input.GroupUid}` }),
  });

export const groupActions = [
  defineAction({
    name: "CreateGroup",
    access: "write",
    errors: ["NotFound", "Duplicated", "QuotaExceeded"],
    summary: "Creates a group in a user pool; Name is unique in the pool, case-insensitively.",
    input: createGroupInput,
    output: groupOutput,
    handler: (input, ctx) => groups.createGroup(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "GetGroup",
    access: "read",
    errors: ["NotFound"],
    summary: "Returns one group.",
    input: z.object(groupRef),
    output: groupOutput,
    handler: (input, ctx) => groups.getGroup(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "ListGroups",
    access: "read",
    errors: ["NotFound"],
    summary: "Lists a pool's groups with their member counts, lowest Precedence first unless SortField/SortDirection say otherwise.",
    input: listGroupsInput,
    output: pageResult(groupListItem),
    handler: ({ UserPoolUid, ...rest }, ctx) => groups.listGroups(ctx.deps, ctx.accountId, UserPoolUid, rest),
  }),
  defineAction({
    name: "UpdateGroup",
    access: "write",
    errors: ["NotFound"],
    summary: "Changes a group's Description, Precedence or IamRoleTrn; omitted fields stay. The Name stays what it was created as.",
    input: updateGroupInput,
    output: groupOutput,
    handler: (input, ctx) => groups.updateGroup(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "DeleteGroup",
    access: "write",
    errors: ["NotFound"],
    summary: "Deletes a group and its memberships (its users stay).",
    input: z.object(groupRef),
    output: messageResult,
    handler: async (input, ctx) => {
      await groups.deleteGroup(ctx.deps, ctx.accountId, input);
      return { Message: `group ${input.GroupUid} deleted` };
    },
  }),
  membershipChange("AddUsersToGroup", ["NotFound", "QuotaExceeded"], "Adds up to 100 users of the pool to a group, all or none; users already in it stay.", "added to", members.addUsersToGroup),
  membershipChange("RemoveUsersFromGroup", ["NotFound"], "Removes up to 100 users of the pool from a group; users not in it are left as they are.", "removed from", members.removeUsersFromGroup),
  defineAction({
    name: "ChangeUsersGroup",
    access: "write",
    errors: ["NotFound", "QuotaExceeded"],
    summary: "Moves up to 100 users of the pool into NewGroupUid: afterwards each is a member of that group and of no other.",
    input: z.object({ ...poolRef, NewGroupUid: uid(), UserUids: userUids }),
    output: messageResult,
    handler: async (input, ctx) => {
      await members.changeUsersGroup(ctx.deps, ctx.accountId, input);
      return { Message: `${new Set(input.UserUids).size} users moved to group ${input.NewGroupUid}` };
    },
  }),
  defineAction({
    name: "ListUsersInGroup",
    access: "read",
    errors: ["NotFound"],
    summary: "ListUsers within one group (newest first; the same Filter, PageNumber/PageSize or NextToken/MaxResults); TotalCount is the group's member count when nothing else filters.",
    input: listUsersInGroupInput,
    output: listOutput,
    handler: ({ UserPoolUid, GroupUid, ...rest }, ctx) => members.listUsersInGroup(ctx.deps, ctx.accountId, { UserPoolUid, GroupUid }, rest),
  }),
  defineAction({
    name: "ListGroupsForUser",
    access: "read",
    errors: ["NotFound"],
    summary: "Lists the groups a user is in, as ListGroups does.",
    input: listGroupsForUserInput,
    output: pageResult(groupListItem),
    handler: ({ UserPoolUid, UserUid, ...rest }, ctx) => groups.listGroups(ctx.deps, ctx.accountId, UserPoolUid, rest, UserUid),
  }),
  defineAction({
    name: "ListGroupsForUsers",
    access: "read",
    errors: ["NotFound"],
    summary: "For each of up to 100 users, in the order given, every group it is in (lowest Precedence first).",
    input: z.object({ ...poolRef, UserUids: userUids }),
    output: z.object({ Data: z.array(z.object({ UserUid: z.string(), Groups: z.array(groupListItem) })) }),
    handler: (input, ctx) => members.listGroupsForUsers(ctx.deps, ctx.accountId, input.UserPoolUid, input.UserUids),
  }),
];
