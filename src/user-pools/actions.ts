// The six user-pool actions (api.md §6 "User pools").
import { z } from "zod";
import * as pools from "./service.js";
import { secureWebUrl, messageResult, scopeList, pageResult, pagingInput, requiredText, timeString, uid } from "../core/schemas.js";
import { defineAction } from "../core/action.js";

const passwordPolicyInput = z
  .object({
    MinLength: z.number().int().min(6).max(128),
    RequireUppercase: z.boolean(),
    RequireLowercase: z.boolean(),
    RequireDigits: z.boolean(),
    RequireSymbols: z.boolean(),
  })
  .partial();

const customScopes = scopeList(100);

const writableFields = {
  Description: z.string().max(1024).optional(),
  PasswordPolicy: passwordPolicyInput.optional(),
  CustomScopes: customScopes.optional(),
  ResetPasswordUrl: secureWebUrl.optional(),
  ResetTokenTtlSeconds: z.number().int().min(60).max(7 * 24 * 3600).optional(),
};

export const userPoolOutput = z.object({
  Uid: z.string(),
  Trn: z.string(),
  Name: z.string(),
  Description: z.string(),
  Enabled: z.boolean(),
  PasswordPolicy: passwordPolicyInput.required(),
  CustomScopes: z.array(z.string()),
  ResetPasswordUrl: z.string(),
  ResetTokenTtlSeconds: z.number().int(),
  TotalUsers: z.number().int(),
  TotalClients: z.number().int(),
  TotalConnections: z.number().int(),
  CreateTime: timeString,
  UpdateTime: timeString,
});

const poolRef = { UserPoolUid: uid() };

export const createUserPoolInput = z.object({ Name: requiredText(128), ...writableFields });
export const updateUserPoolInput = z.object({ ...poolRef, Name: requiredText(128).optional(), ...writableFields, ResetPasswordUrl: secureWebUrl.or(z.literal("")).optional() });

export const userPoolActions = [
  defineAction({
    name: "CreateUserPool",
    access: "write",
    errors: ["Duplicated", "QuotaExceeded"],
    accountWide: true,
    summary: "Creates a user pool; Name is unique in the account.",
    input: createUserPoolInput,
    output: userPoolOutput,
    handler: (input, ctx) => pools.createUserPool(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "GetUserPool",
    access: "read",
    errors: ["NotFound"],
    summary: "Returns one user pool.",
    input: z.object(poolRef),
    output: userPoolOutput,
    handler: (input, ctx) => pools.getUserPool(ctx.deps, ctx.accountId, input.UserPoolUid),
  }),
  defineAction({
    name: "ListUserPools",
    access: "read",
    errors: [],
    accountWide: true,
    summary: "Lists the account's user pools, newest first; Filter.Name matches a substring, case-insensitively.",
    input: z.object({ ...pagingInput, Filter: z.object({ Name: z.string().max(128).optional() }).optional() }),
    output: pageResult(userPoolOutput),
    handler: (input, ctx) => pools.listUserPools(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "UpdateUserPool",
    access: "write",
    errors: ["NotFound", "Duplicated"],
    summary: "Changes the given fields of a user pool; omitted fields stay, PasswordPolicy merges field by field.",
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
    summary: "Deletes a user pool and everything in it, in one transaction.",
    input: z.object(poolRef),
    output: messageResult,
    handler: async (input, ctx) => {
      await pools.deleteUserPool(ctx.deps, ctx.accountId, input.UserPoolUid);
      return { Message: `user pool ${input.UserPoolUid} deleted` };
    },
  }),
];
