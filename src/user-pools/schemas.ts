// The zod schemas of the user-pool actions: actions.ts builds the API from them and service.ts takes
// its input types from them, never from actions.ts (which imports the service).
import { z } from "zod";
import { secureWebUrl, scopeList, pagingInput, requiredText, timeString, uid } from "../core/schemas.js";
import { customAttributeOutput } from "./child-views.js";
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

/** `custom:<Name>` in RequiredSignUpAttributes: a custom attribute's name as attributeName spells it. */
export const customSignUpAttribute = z.string().regex(/^custom:[A-Za-z][A-Za-z0-9_]{0,63}$/, "a standard attribute, or custom:<Name>");

export const passwordPolicyInput = z
  .object({
    MinLength: z.number().int().min(6).max(128),
    RequireUppercase: z.boolean(),
    RequireLowercase: z.boolean(),
    RequireDigits: z.boolean(),
    RequireSymbols: z.boolean(),
  })
  .partial();

export const customScopes = scopeList(100);

/** Sign-in, sign-up and recovery switches: stored and returned; a data plane would enforce them. */
export const SWITCHES = [
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
export const switches = <T extends z.ZodType>(t: T) =>
  Object.fromEntries(SWITCHES.map((k) => [k, t])) as Record<(typeof SWITCHES)[number], T>;

export const recoveryAttributes = attributeList.pipe(z.array(z.enum(RECOVERY_ATTRIBUTES)));

export const writableFields = {
  Description: z.string().max(1024).optional(),
  PasswordPolicy: passwordPolicyInput.optional(),
  CustomScopes: customScopes.optional(),
  ResetPasswordUrl: secureWebUrl.optional(),
  ResetTokenTtlSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .optional(),
  AuthenticationMethodOrder: authenticationMethodOrder.optional(),
  Brand: brandInput.optional(),
  SelfAccountRecoveryVerificationAttributes: recoveryAttributes.optional(),
  ...switches(z.boolean().optional()),
};

/** Set when the pool is created (upstream's UpdateUserPool has none of them). */
export const createOnlyFields = {
  ProjectName: requiredText(255).optional(),
  // A new pool's attributes are the standard ones; custom attributes are added to it afterwards.
  // A standard attribute, or `custom:<Name>`: a custom attribute the hosted sign-up page asks for once
  // the pool has it (custom attributes are added after the pool is created).
  RequiredSignUpAttributes: attributeList.pipe(z.array(z.enum(STANDARD_ATTRIBUTES).or(customSignUpAttribute))).optional(),
  SignInAttributes: attributeList.pipe(z.array(z.enum(SIGN_IN_ATTRIBUTES))).optional(),
  Tags: tagsInput.optional(),
};

/** Upstream's list item, plus idplane's extensions (docs/upstream-deviations.md). */
export const listItemFields = {
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
export const poolFields = {
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

export const poolRef = { UserPoolUid: uid() };

export const createUserPoolInput = z.object({ Name: requiredText(128), ...writableFields, ...createOnlyFields });
export const updateUserPoolInput = z.object({
  ...poolRef,
  Name: requiredText(128).optional(),
  ...writableFields,
  ResetPasswordUrl: secureWebUrl.or(z.literal("")).optional(),
});

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
