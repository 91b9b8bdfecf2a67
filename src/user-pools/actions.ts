// The six user-pool actions (api.md §6 "User pools"), with upstream's fields (issue 11).
import { z } from "zod";
import * as pools from "./service.js";
import { secureWebUrl, messageResult, scopeList, pageResult, pagingInput, requiredText, timeString, uid } from "../core/schemas.js";
import { defineAction } from "../core/action.js";
import { customAttributeOutput } from "../custom-attributes/actions.js";
import {
  attributeList,
  authenticationMethodOrder,
  brandInput,
  RECOVERY_ATTRIBUTES,
  SIGN_IN_ATTRIBUTES,
  STANDARD_ATTRIBUTES,
  tagFilters,
  tagOutput,
  tagsInput,
} from "./settings.js";

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

/** Sign-in, sign-up and recovery switches: stored and returned; a data plane would enforce them. */
const SWITCHES = [
  "PasswordSignInEnabled",
  "EmailPasswordlessSignInEnabled",
  "SmsPasswordlessSignInEnabled",
  "SelfSignUpEnabled",
  "SignUpAutoVerificationEnabled",
  "EmailAnonymousSignUpEnabled",
  "SmsAnonymousSignUpEnabled",
  "UnconfirmedUserSignInEnabled",
  "SelfAccountRecoveryEnabled",
] as const;
const switches = <T extends z.ZodType>(t: T) => Object.fromEntries(SWITCHES.map((k) => [k, t])) as Record<(typeof SWITCHES)[number], T>;

const recoveryAttributes = attributeList.pipe(z.array(z.enum(RECOVERY_ATTRIBUTES)));

const writableFields = {
  Description: z.string().max(1024).optional(),
  PasswordPolicy: passwordPolicyInput.optional(),
  CustomScopes: customScopes.optional(),
  ResetPasswordUrl: secureWebUrl.optional(),
  ResetTokenTtlSeconds: z.number().int().min(60).max(7 * 24 * 3600).optional(),
  AuthenticationMethodOrder: authenticationMethodOrder.optional(),
  Brand: brandInput.optional(),
  SelfAccountRecoveryVerificationAttributes: recoveryAttributes.optional(),
  ...switches(z.boolean().optional()),
};

/** Set when the pool is created (upstream's UpdateUserPool has none of them). */
const createOnlyFields = {
  ProjectName: requiredText(255).optional(),
  // A new pool's attributes are the standard ones; custom attributes are added to it afterwards.
  RequiredSignUpAttributes: attributeList.pipe(z.array(z.enum(STANDARD_ATTRIBUTES))).optional(),
  SignInAttributes: attributeList.pipe(z.array(z.enum(SIGN_IN_ATTRIBUTES))).optional(),
  Tags: tagsInput.optional(),
};

/** Upstream's list item, plus idplane's extensions (docs/upstream-deviations.md). */
const listItemFields = {
  Uid: z.string(),
  Trn: z.string(),
  Name: z.string(),
  Description: z.string(),
  Enabled: z.boolean(),
  ProjectName: z.string(),
  Tags: z.array(tagOutput),
  Domain: z.string(),
  PasswordPolicy: passwordPolicyInput.required(),
  CustomScopes: z.array(z.string()),
  ResetPasswordUrl: z.string(),
  ResetTokenTtlSeconds: z.number().int(),
  TotalUsers: z.number().int(),
  TotalClients: z.number().int(),
  TotalConnections: z.number().int(),
  CreateTime: timeString,
  UpdateTime: timeString,
};
export const userPoolListItem = z.object(listItemFields);

/** The fields a pool shows everywhere it is shown whole. */
const poolFields = {
  ...listItemFields,
  Brand: z.object({ Name: z.string(), LogoUri: z.string() }),
  AuthenticationMethodOrder: z.array(z.string()),
  RequiredSignUpAttributes: z.array(z.string()),
  SignInAttributes: z.array(z.string()),
  SelfAccountRecoveryVerificationAttributes: z.array(z.string()),
  ...switches(z.boolean()),
  CustomDomain: z.string(),
  IssuerUrl: z.string(),
  DiscoveryUrl: z.string(),
  TokenUrl: z.string(),
  TokenSigningKeyUrl: z.string(),
  OauthLoginCallbackUrl: z.string(),
  OauthSignUpCallbackUrl: z.string(),
  OidcLoginCallbackUrl: z.string(),
  OidcSignUpCallbackUrl: z.string(),
  SamlLoginCallbackUrl: z.string(),
  SamlSignUpCallbackUrl: z.string(),
};

export const userPoolOutput = z.object({
  ...poolFields,
  CustomAttributes: z.array(customAttributeOutput.extend({ CreateTime: timeString, UpdateTime: timeString })),
});

/** Upstream's CreateUserPool answers CustomAttributes as a string: the JSON of the (empty) list. */
export const createdUserPoolOutput = z.object({ ...poolFields, CustomAttributes: z.literal("[]") });

const poolRef = { UserPoolUid: uid() };

export const createUserPoolInput = z.object({ Name: requiredText(128), ...writableFields, ...createOnlyFields });
export const updateUserPoolInput = z.object({ ...poolRef, Name: requiredText(128).optional(), ...writableFields, ResetPasswordUrl: secureWebUrl.or(z.literal("")).optional() });

export const listUserPoolsInput = z.object({
  ...pagingInput,
  ProjectName: requiredText(255).optional(),
  TagFilters: tagFilters.optional(),
  Filter: z
    .object({
      Name: z.string().max(128).optional(),
      Description: z.string().max(1024).optional(),
      Uid: z.string().max(128).optional(),
      Trn: z.string().max(512).optional(),
      TagFilters: tagFilters.optional(),
    })
    .optional(),
  SortField: z.enum(["CreateTime", "UpdateTime", "Name"]).default("CreateTime"),
  SortDirection: z.enum(["Asc", "Desc"]).optional(),
});

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
    summary: "Deletes a user pool and everything in it (users, credentials, connections, custom attributes, delivery settings, tags), in one transaction.",
    input: z.object(poolRef),
    output: messageResult,
    handler: async (input, ctx) => {
      await pools.deleteUserPool(ctx.deps, ctx.accountId, input.UserPoolUid);
      return { Message: `user pool ${input.UserPoolUid} deleted` };
    },
  }),
];
