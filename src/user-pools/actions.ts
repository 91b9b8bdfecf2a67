// The six user-pool actions (docs/spec/api.md §6 "User pools"), with upstream's fields (issue 11).
import { z } from "zod";
import * as pools from "./service.js";
import { messageResult, pageResult } from "../core/schemas.js";
import { defineAction } from "../core/action.js";
import {
  userPoolListItem,
  userPoolOutput,
  createdUserPoolOutput,
  poolRef,
  createUserPoolInput,
  updateUserPoolInput,
  listUserPoolsInput,
} from "./schemas.js";

export const userPoolActions = [
  defineAction({
    name: "CreateUserPool",
    access: "write",
    errors: ["Duplicated", "QuotaExceeded"],
    accountWide: true,
    summary: "Creates a user pool; Name is unique in the account.",
    input: createUserPoolInput,
    output: createdUserPoolOutput,
    handler: (input, ctx) => pools.createUserPool(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "GetUserPool",
    access: "read",
    errors: ["NotFound"],
    summary: "Returns one user pool with its custom attributes.",
    input: z.object(poolRef),
    output: userPoolOutput,
    handler: (input, ctx) => pools.getUserPool(ctx.deps, ctx.accountId, input.UserPoolUid),
  }),
  defineAction({
    name: "ListUserPools",
    access: "read",
    errors: [],
    accountWide: true,
    summary:
      "Lists the account's user pools, newest first unless SortField/SortDirection say otherwise; Filter.Name and Filter.Description match a substring case-insensitively, Uid and Trn exactly; ProjectName and TagFilters narrow further.",
    input: listUserPoolsInput,
    output: pageResult(userPoolListItem),
    handler: (input, ctx) => pools.listUserPools(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "UpdateUserPool",
    access: "write",
    errors: ["NotFound", "Duplicated"],
    summary: "Changes the given fields of a user pool; omitted fields stay, PasswordPolicy and Brand merge field by field.",
    input: updateUserPoolInput,
    output: userPoolOutput,
    handler: ({ UserPoolUid, ...fields }, ctx) => pools.updateUserPool(ctx.deps, ctx.accountId, UserPoolUid, fields),
  }),
  defineAction({
    name: "UpdateEnableUserPool",
    access: "write",
    errors: ["NotFound"],
    summary: "Enables or disables a user pool.",
    input: z.object({ ...poolRef, Enabled: z.boolean() }),
    output: messageResult,
    handler: async (input, ctx) => {
      await pools.setUserPoolEnabled(ctx.deps, ctx.accountId, input.UserPoolUid, input.Enabled);
      return { Message: `user pool ${input.UserPoolUid} ${input.Enabled ? "enabled" : "disabled"}` };
    },
  }),
  defineAction({
    name: "DeleteUserPool",
    access: "write",
    errors: ["NotFound"],
    summary:
      "Deletes a user pool and everything in it (users, credentials, connections, custom attributes, delivery settings, tags), in one transaction.",
    input: z.object(poolRef),
    output: messageResult,
    handler: async (input, ctx) => {
      await pools.deleteUserPool(ctx.deps, ctx.accountId, input.UserPoolUid);
      return { Message: `user pool ${input.UserPoolUid} deleted` };
    },
  }),
];
