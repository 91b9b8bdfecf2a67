// The user actions (api.md §6 "Users").
// CreateUsers validates each item on its own (conform + the item schema), so one bad item becomes
// that item's error in the batch result instead of failing the call. Actions that hash passwords
// charge them to the caller's rate limit (chargePasswordHashing) before the service runs.
import { z } from "zod";
import { ApiError, errors } from "../core/errors.js";
import { chargePasswordHashing } from "../rate-limits/charge.js";
import { batchResult } from "./batch.js";
import { listUsers } from "./list.js";
import * as users from "./service.js";
import { emailOrEmpty, timeString, uid } from "../core/schemas.js";
import { defineAction, type ActionContext } from "../core/action.js";

const optionalText = (max: number) => z.string().trim().max(max).optional();
const userState = z.enum(["ACTIVE", "DISABLED"]);

/** Writable fields; "" means "none" for the three identifiers (and clears them in UpdateUser). */
const userFields = {
  PreferredUsername: z.string().trim().max(128).regex(/^[^\s\p{C}]*$/u, "no spaces or control characters").describe("unique in the pool, case-insensitively").optional(),
  Email: emailOrEmpty.optional(),
  EmailVerified: z.boolean().optional(),
  PhoneNumber: z.string().trim().regex(/^(\+[1-9][0-9]{1,14})?$/, "must be in E.164 form, such as +8613800138000").describe("E.164, unique in the pool").optional(),
  PhoneNumberVerified: z.boolean().optional(),
  Name: optionalText(256),
  GivenName: optionalText(256),
  FamilyName: optionalText(256),
  MiddleName: optionalText(256),
  Nickname: optionalText(256),
  UserMetadata: z.string().max(16_384).refine(isJsonObject, "must be a JSON object, written as a string").describe("a JSON object as a string; read back exactly as written").optional(),
  UserState: userState.optional(),
  /** Write-only: checked against the pool's PasswordPolicy, stored only as a scrypt hash. */
  Password: z.string().min(1).max(1024).describe("write-only; checked against the pool's PasswordPolicy, stored as an scrypt hash").optional(),
};

function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v);
  } catch {
    return false;
  }
}

const newUser = z.object(userFields);

export const userOutput = z.object({
  Uid: z.string(),
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
  UserMetadata: z.string(),
  UserState: userState,
  CreateTime: timeString,
  UpdateTime: timeString,
});

export const batchOutput = z.object({
  SuccessCount: z.number().int(),
  FailureCount: z.number().int(),
  SuccessfulUids: z.array(z.string()),
  Errors: z.array(z.string()),
  ErrorsStructured: z.array(z.object({ Index: z.number().int().describe("0-based position in the request's list"), Code: z.string(), Error: z.string(), Field: z.string() })),
});

const listOutput = z.object({
  Data: z.array(userOutput),
  TotalCount: z.number().int(),
  PageNumber: z.number().int().optional(),
  PageSize: z.number().int().optional(),
  NextToken: z.string().describe("empty on the last page").optional(),
  MaxResults: z.number().int().optional(),
});

const listInput = z
  .object({
    UserPoolUid: uid(),
    PageNumber: z.number().int().min(1).max(1_000_000).optional(),
    PageSize: z.number().int().min(1).max(100).optional(),
    NextToken: z.string().trim().max(512).describe("the NextToken of the previous page; start with MaxResults alone").optional(),
    MaxResults: z.number().int().min(1).max(100).optional(),
    Filter: z
      .object({ Email: z.string().trim().max(254), PreferredUsername: z.string().trim().max(128), PhoneNumber: z.string().trim().max(16), UserState: userState })
      .partial()
      .optional(),
  })
  .refine((i) => (i.NextToken === undefined && i.MaxResults === undefined) || (i.PageNumber === undefined && i.PageSize === undefined), {
    message: "use either PageNumber/PageSize or NextToken/MaxResults, not both",
    path: ["NextToken"],
  });

/** One batch item: its fields, or the error its validation produced (reported at its index). */
function parseItem(raw: unknown, validate: ActionContext["validate"]): users.UserFields | ApiError {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return errors.invalidParameter("Users", "each user must be an object");
  const r = validate(newUser, raw);
  return r.ok ? r.data : r.error;
}

const poolRef = { UserPoolUid: uid() };

export const userActions = [
  defineAction({
    name: "CreateUser",
    access: "write",
    errors: ["NotFound", "Duplicated", "QuotaExceeded"],
    summary: "Creates a user; needs one of PreferredUsername, Email, PhoneNumber, each unique in the pool (Email and PreferredUsername case-insensitively).",
    input: newUser.extend(poolRef),
    output: userOutput,
    handler: async ({ UserPoolUid, ...fields }, ctx) => {
      await chargePasswordHashing(ctx.deps, ctx.principal, fields.Password === undefined ? 0 : 1);
      return users.createUser(ctx.deps, ctx.accountId, UserPoolUid, fields);
    },
  }),
  defineAction({
    name: "CreateUsers",
    access: "write",
    errors: ["NotFound"],
    summary: "Creates up to 100 users; each item succeeds or fails on its own (HTTP 200 with the batch result, Index is 0-based).",
    // Items are typed for the docs but checked one by one in the handler, so a bad one cannot fail the batch.
    input: z.object({ ...poolRef, Users: z.array(newUser.or(z.unknown())).min(1).max(100) }),
    output: batchOutput,
    handler: async (input, ctx) => {
      const items = input.Users.map((raw) => parseItem(raw, ctx.validate));
      // Charged for every valid item with a password: the pool's policy may still refuse some, but
      // counting before any database work keeps the refusal free of side effects.
      await chargePasswordHashing(ctx.deps, ctx.principal, items.filter((i) => !(i instanceof ApiError) && i.Password !== undefined).length);
      return batchResult(await users.createUsers(ctx.deps, ctx.accountId, input.UserPoolUid, items));
    },
  }),
  defineAction({
    name: "GetUser",
    access: "read",
    errors: ["NotFound"],
    summary: "Returns one user (never its password).",
    input: z.object({ ...poolRef, UserUid: uid() }),
    output: userOutput,
    handler: (input, ctx) => users.getUser(ctx.deps, ctx.accountId, input.UserPoolUid, input.UserUid),
  }),
  defineAction({
    name: "ListUsers",
    access: "read",
    errors: ["NotFound"],
    summary:
      "Lists a pool's users, newest first: PageNumber/PageSize, or NextToken/MaxResults (an opaque keyset cursor, fast at any depth; " +
      "empty NextToken on the last page). Filter fields match exactly (Email and PreferredUsername case-insensitively).",
    input: listInput,
    output: listOutput,
    handler: ({ UserPoolUid, ...rest }, ctx) => listUsers(ctx.deps, ctx.accountId, UserPoolUid, rest),
  }),
  defineAction({
    name: "UpdateUser",
    access: "write",
    errors: ["NotFound", "Duplicated"],
    summary: "Changes the given fields of a user; omitted fields stay, \"\" clears an identifier. A new Password, Email or DISABLED state revokes outstanding reset tokens.",
    input: newUser.extend({ ...poolRef, UserUid: uid() }),
    output: userOutput,
    handler: async ({ UserPoolUid, UserUid, ...fields }, ctx) => {
      await chargePasswordHashing(ctx.deps, ctx.principal, fields.Password === undefined ? 0 : 1);
      return users.updateUser(ctx.deps, ctx.accountId, UserPoolUid, UserUid, fields);
    },
  }),
  defineAction({
    name: "DeleteUsers",
    access: "write",
    errors: ["NotFound"],
    summary: "Deletes up to 100 users by uid; an unknown uid is that item's NotFound (HTTP 200 with the batch result).",
    input: z.object({ ...poolRef, UserUids: z.array(z.string().trim().max(128)).min(1).max(100) }),
    output: batchOutput,
    handler: async (input, ctx) => batchResult(await users.deleteUsers(ctx.deps, ctx.accountId, input.UserPoolUid, input.UserUids)),
  }),
];
