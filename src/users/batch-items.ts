// The batch path from raw items on, shared by CreateUsers and CreateUsersCSV (and the item parser
// UpdateUsers uses): each item is validated on its own, so one bad item becomes that item's error in
// the batch result instead of failing the call. Action-level code (it charges the caller's rate limit
// and uses the gateway's validator), kept apart from actions.ts so other families' actions can reuse
// it without importing this family's action list.
import type { ZodType, z } from "zod";
import { ApiError, errors } from "../core/errors.js";
import { chargePasswordHashing } from "../platform/rate-limits/charge.js";
import type { ActionContext } from "../core/action.js";
import { createBatchResult } from "./batch.js";
import { createUsers } from "./create.js";
import { type createUsersInput, newUserInput } from "./schemas.js";

/** One batch item: its fields, or the error its validation produced (reported at its index). */
export function parseItem<S extends ZodType>(schema: S, raw: unknown, validate: ActionContext["validate"]): z.output<S> | ApiError {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return errors.invalidParameter("Users", "each user must be an object");
  const r = validate(schema, raw);
  return r.ok ? r.data : r.error;
}

/**
 * CreateUsers' path from raw items on: each item validated on its own (the gateway's rules), the
 * passwords charged, the users created (and linked, with ExternalProviderConnectionUid), the batch
 * result built. CreateUsersCSV hands its rows to this same function, so a row and a CreateUsers item
 * are held to one set of rules.
 */
export async function createUsersFromRaw(
  input: Omit<z.output<typeof createUsersInput>, "Users"> & { Users: unknown[] },
  ctx: ActionContext,
) {
  const items = input.Users.map((raw) => parseItem(newUserInput, raw, ctx.validate));
  // Charged for every valid item with a password: the pool's policy may still refuse some, but
  // counting before any database work keeps the refusal free of side effects.
  await chargePasswordHashing(ctx.deps, ctx.principal, items.filter((i) => !(i instanceof ApiError) && i.Password !== undefined).length);
  const outcomes = await createUsers(ctx.deps, ctx.accountId, input.UserPoolUid, items, input.ExternalProviderConnectionUid || undefined);
  return createBatchResult(
    outcomes,
    items.map((i) => (i instanceof ApiError ? "" : (i.ExternalProviderUserIdentifier ?? ""))),
  );
}
