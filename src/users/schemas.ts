// The users family's request and result schemas, with upstream's (Volcengine id) names, types and
// nesting. The services type their inputs from these (z.output), so a field is declared once.
import { z } from "zod";
import { emailOrEmpty, timeString, uid } from "../core/schemas.js";
import { customAttributesToUpsert } from "./custom-attributes.js";
import { profileFields } from "./profile.js";

const optionalText = (max: number) => z.string().trim().max(max).optional();
export const userState = z.enum(["ACTIVE", "DISABLED"]);

function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** Writable fields shared by create and update; "" means "none" for the three identifiers (and clears them on update). */
const writableFields = {
  PreferredUsername: z
    .string()
    .trim()
    .max(128)
    .regex(/^[^\s\p{C}]*$/u, "no spaces or control characters")
    .describe("unique in the pool, case-insensitively")
    .optional(),
  Email: emailOrEmpty.optional(),
  EmailVerified: z.boolean().optional(),
  PhoneNumber: z
    .string()
    .trim()
    .regex(/^(\+[1-9][0-9]{1,14})?$/, "must be in E.164 form, such as +8613800138000")
    .describe("E.164, unique in the pool")
    .optional(),
  PhoneNumberVerified: z.boolean().optional(),
  Name: optionalText(256),
  GivenName: optionalText(256),
  FamilyName: optionalText(256),
  MiddleName: optionalText(256),
  Nickname: optionalText(256),
  ...profileFields,
  UserMetadata: z
    .string()
    .max(16_384)
    .refine(isJsonObject, "must be a JSON object, written as a string")
    .describe("a JSON object as a string; read back exactly as written")
    .optional(),
  CustomAttributesToUpsert: customAttributesToUpsert.optional(),
  UserState: userState.optional(),
};

/** Write-only: checked against the pool's PasswordPolicy, stored only as a scrypt hash. */
const password = z
  .string()
  .min(1)
  .max(1024)
  .describe("write-only; checked against the pool's PasswordPolicy, stored as an scrypt hash")
  .optional();

/**
 * Identity linking: a new user linked to its id at a connection of the pool. "" is taken as absent.
 * Created so without a Password, the user is federated (see docs/api/external-identities.md).
 */
const connectionRef = z
  .string()
  .trim()
  .max(128)
  .describe("a connection of the pool (any type): each new user is linked to its ExternalProviderUserIdentifier there")
  .optional();
const linkingFields = {
  ExternalProviderUserIdentifier: z
    .string()
    .trim()
    .max(512)
    .describe("the user's id at ExternalProviderConnectionUid, unique there in the pool")
    .optional(),
};

export const userFieldsInput = z.object({ ...writableFields, Password: password });
/** One CreateUsers item (and CreateUser without the pool). */
export const newUserInput = userFieldsInput.extend(linkingFields);
export const createUserInput = newUserInput.extend({ UserPoolUid: uid(), ExternalProviderConnectionUid: connectionRef });
export const createUsersInput = z.object({
  UserPoolUid: uid(),
  ExternalProviderConnectionUid: connectionRef,
  // Items are typed for the docs but checked one by one in the handler, so a bad one cannot fail the batch.
  Users: z.array(newUserInput.or(z.unknown())).min(1).max(100),
});
export const updateUserInput = userFieldsInput.extend({ UserPoolUid: uid(), UserUid: uid() });
/** One UpdateUsers item: UpdateUser's fields without Password (as upstream), naming its user. */
export const updateUsersItem = z.object({ ...writableFields, UserUid: uid() });
export const updateUsersInput = z.object({ UserPoolUid: uid(), Users: z.array(updateUsersItem.or(z.unknown())).min(1).max(100) });

export type UserFields = z.output<typeof userFieldsInput>;
export type NewUserFields = z.output<typeof newUserInput>;

export const responseValueMask = z
  .object({ Email: z.boolean(), PhoneNumber: z.boolean() })
  .partial()
  .describe("mask these in the answer: a***@example.com, +86138****8000");

const externalIdentity = z.object({
  ConnectionType: z.string(),
  ConnectionUid: z.string(),
  ExternalProviderUserIdentifier: z.string(),
  ExternalProviderUserMetadata: z.string(),
  LastLoginAt: z.string(),
  LinkSource: z.string(),
  Provider: z.string(),
  UpdatedAt: z.string(),
});

export const userOutput = z.object({
  Uid: z.string(),
  Sub: z.string().describe("the subject identifier tokens carry; equals Uid"),
  PreferredUsername: z.string(),
  Email: z.string(),
  EmailVerified: z.boolean(),
  PhoneNumber: z.string(),
  PhoneNumberVerified: z.boolean(),
  Name: z.string(),
  GivenName: z.string(),
  FamilyName: z.string(),
  MiddleName: z.string(),
  Nickname: z.string(),
  Picture: z.string(),
  Profile: z.string(),
  Website: z.string(),
  Gender: z.string(),
  Birthdate: z.string(),
  Zoneinfo: z.string(),
  Locale: z.string(),
  UserMetadata: z.string(),
  CustomAttributes: z.array(z.object({ Name: z.string(), Value: z.string() })),
  UserState: userState,
  // Things idplane does not have yet (sign-in, departments): always empty.
  NumLogins: z.number().int().describe("successful sign-ins through the pool's hosted sign-in"),
  LatestLogin: z.string(),
  LatestLoginMethod: z.string(),
  LatestLoginConnectionName: z.string(),
  LatestLoginConnectionProvider: z.string(),
  LatestLoginConnectionType: z.string(),
  LatestBrowser: z.string(),
  Connection: z.string().describe('a federated user\'s connection (the one it was created through); "" for a native user'),
  GroupUids: z.array(z.string()).describe("the user's groups, lowest Precedence first"),
  DepartmentUids: z.array(z.string()),
  ExternalIdentities: z.array(externalIdentity),
  CreateTime: timeString,
  UpdateTime: timeString,
});

// The batch actions' results (CreateUsers, CreateUsersCSV, CreateUserGroupsCsv, UpdateUsers, DeleteUsers).
const errorItem = {
  Index: z.number().int().describe("0-based position in the request's list"),
  Code: z.string().describe("idplane's catalog code"),
  Error: z.string(),
  Field: z.string(),
};
const batchCounts = {
  SuccessCount: z.number().int(),
  FailureCount: z.number().int(),
  SuccessfulUids: z.array(z.string()),
  Errors: z.array(z.string()),
};
const upstreamErrorItem = {
  ...errorItem,
  ErrorType: z.string().describe("the code's family, e.g. Duplicated"),
  DuplicatedUserUid: z.string().describe("on Duplicated: the user holding the value"),
};
const linked = { ExternalProviderUserIdentifier: z.string().describe('the item\'s ExternalProviderUserIdentifier ("" without one)') };

export const deleteOutput = z.object({ ...batchCounts, ErrorsStructured: z.array(z.object(errorItem)) });
export const updateBatchOutput = z.object({
  ...batchCounts,
  SuccessfulUidsStructured: z.array(z.object({ Index: z.number().int(), Uid: z.string() })),
  ErrorsStructured: z.array(z.object(upstreamErrorItem)),
});
export const batchOutput = z.object({
  ...batchCounts,
  SuccessfulUidsStructured: z.array(z.object({ Index: z.number().int(), Uid: z.string(), ...linked })),
  ErrorsStructured: z.array(z.object({ ...upstreamErrorItem, ...linked })),
});
