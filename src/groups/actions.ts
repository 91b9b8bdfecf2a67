// The group actions of a user pool (upstream's CreateGroup family): groups, their members, and the
// user's side (ListGroupsForUser(s)); ListUsersInGroup is ListUsers within one group.
import { z } from "zod";
import { defineAction } from "../core/action.js";
import type { AppDeps } from "../deps.js";
import { messageResult, pageResult, uid } from "../core/schemas.js";
import { listOutput } from "../users/list.js";
import * as members from "./members.js";
import * as groups from "./service.js";
import {
  poolRef,
  groupRef,
  createGroupInput,
  updateGroupInput,
  groupOutput,
  groupListItem,
  listGroupsInput,
  listGroupsForUserInput,
  userUids,
  listUsersInGroupInput,
} from "./schemas.js";

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
  membershipChange(
    "AddUsersToGroup",
    ["NotFound", "QuotaExceeded"],
    "Adds up to 100 users of the pool to a group, all or none; users already in it stay.",
    "added to",
    members.addUsersToGroup,
  ),
  membershipChange(
    "RemoveUsersFromGroup",
    ["NotFound"],
    "Removes up to 100 users of the pool from a group; users not in it are left as they are.",
    "removed from",
    members.removeUsersFromGroup,
  ),
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
    summary:
      "ListUsers within one group (newest first; the same Filter, PageNumber/PageSize or NextToken/MaxResults); TotalCount is the group's member count when nothing else filters.",
    input: listUsersInGroupInput,
    output: listOutput,
    handler: ({ UserPoolUid, GroupUid, ...rest }, ctx) =>
      members.listUsersInGroup(ctx.deps, ctx.accountId, { UserPoolUid, GroupUid }, rest),
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
