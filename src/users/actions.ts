// The user actions, with upstream's (Volcengine id) fields: schemas in schemas.ts and list.ts.
// CreateUsers and UpdateUsers validate each item on their own (conform + the item schema), so one bad
// item becomes that item's error in the batch result instead of failing the call. Actions that
// hash passwords charge them to the caller's rate limit (chargePasswordHashing) before the service runs.
import { z } from "zod";
import { chargePasswordHashing } from "../platform/rate-limits/charge.js";
import { uid } from "../core/schemas.js";
import { defineAction } from "../core/action.js";
import { batchResult, deleteResult } from "./batch.js";
import { listInput, listOutput, listUsers } from "./list.js";
import { createUser } from "./create.js";
import { createUsersFromRaw, parseItem } from "./batch-items.js";
import * as users from "./service.js";
import {
  batchOutput,
  createUserInput,
  createUsersInput,
  deleteOutput,
  responseValueMask,
  updateUserInput,
  updateUsersInput,
  updateBatchOutput,
  updateUsersItem,
  userOutput,
} from "./schemas.js";

export { batchOutput, userOutput } from "./schemas.js";

export const userActions = [
  defineAction({
    name: "CreateUser",
    access: "write",
    errors: ["NotFound", "Duplicated", "QuotaExceeded"],
    summary:
      "Creates a user; needs one of PreferredUsername, Email, PhoneNumber, each unique among the pool's native users (Email and PreferredUsername " +
      "case-insensitively). With ExternalProviderConnectionUid and ExternalProviderUserIdentifier the user is linked to that identity, and without a Password it is federated.",
    input: createUserInput,
    output: userOutput,
    handler: async ({ UserPoolUid, ExternalProviderConnectionUid, ...fields }, ctx) => {
      await chargePasswordHashing(ctx.deps, ctx.principal, fields.Password === undefined ? 0 : 1);
      return createUser(ctx.deps, ctx.accountId, UserPoolUid, fields, ExternalProviderConnectionUid || undefined);
    },
  }),
  defineAction({
    name: "CreateUsers",
    access: "write",
    errors: ["NotFound"],
    summary: "Creates up to 100 users; each item succeeds or fails on its own (HTTP 200 with the batch result, Index is 0-based).",
    input: createUsersInput,
    output: batchOutput,
    handler: (input, ctx) => createUsersFromRaw(input, ctx),
  }),
  defineAction({
    name: "GetUser",
    access: "read",
    errors: ["NotFound"],
    summary: "Returns one user (never its password); ResponseValueMask masks its Email or PhoneNumber in the answer.",
    input: z.object({ UserPoolUid: uid(), UserUid: uid(), ResponseValueMask: responseValueMask.optional() }),
    output: userOutput,
    handler: (input, ctx) => users.getUser(ctx.deps, ctx.accountId, input.UserPoolUid, input.UserUid, { mask: input.ResponseValueMask }),
  }),
  defineAction({
    name: "ListUsers",
    access: "read",
    errors: ["NotFound"],
    summary:
      "Lists a pool's users (newest first unless SortField/SortDirection say otherwise): PageNumber/PageSize, or NextToken/MaxResults " +
      "(an opaque keyset cursor, fast at any depth; empty NextToken on the last page). Every Filter key and sort is served by an index, " +
      "but EmailIsDuplicated / PhoneNumberIsDuplicated (one pass over the pool).",
    input: listInput,
    output: listOutput,
    handler: ({ UserPoolUid, ...rest }, ctx) => listUsers(ctx.deps, ctx.accountId, UserPoolUid, rest),
  }),
  defineAction({
    name: "UpdateUser",
    access: "write",
    errors: ["NotFound", "Duplicated"],
    summary:
      'Changes the given fields of a user; omitted fields stay, "" clears an identifier. A new Password, Email or DISABLED state revokes outstanding reset tokens.',
    input: updateUserInput,
    output: userOutput,
    handler: async ({ UserPoolUid, UserUid, ...fields }, ctx) => {
      await chargePasswordHashing(ctx.deps, ctx.principal, fields.Password === undefined ? 0 : 1);
      return users.updateUser(ctx.deps, ctx.accountId, UserPoolUid, UserUid, fields);
    },
  }),
  defineAction({
    name: "UpdateUsers",
    access: "write",
    errors: ["NotFound"],
    summary:
      "Updates up to 100 users, each item as UpdateUser (without Password) on its own, in order (HTTP 200 with the batch result, Index is 0-based).",
    input: updateUsersInput,
    output: updateBatchOutput,
    handler: async (input, ctx) =>
      batchResult(
        await users.updateUsers(
          ctx.deps,
          ctx.accountId,
          input.UserPoolUid,
          input.Users.map((raw) => parseItem(updateUsersItem, raw, ctx.validate)),
        ),
      ),
  }),
  defineAction({
    name: "DeleteUsers",
    access: "write",
    errors: ["NotFound"],
    summary: "Deletes up to 100 users by uid; an unknown uid is that item's NotFound (HTTP 200 with the batch result).",
    input: z.object({ UserPoolUid: uid(), UserUids: z.array(z.string().trim().max(128)).min(1).max(100) }),
    output: deleteOutput,
    handler: async (input, ctx) => deleteResult(await users.deleteUsers(ctx.deps, ctx.accountId, input.UserPoolUid, input.UserUids)),
  }),
];
