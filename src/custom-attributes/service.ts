// Custom attributes of a user pool: the typed, bounded fields users carry beside the standard ones.
// Each function is one use case; writes own their transaction and take the pool first
// (src/user-pools/parent.ts), then their own row.
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { AppDeps } from "../deps.js";
import { errors } from "../core/errors.js";
import { isEmpty, patchOf, type PatchRules } from "../core/patch.js";
import { onUniqueViolation } from "../platform/db/errors.js";
import { enforceQuota } from "../platform/db/quota.js";
import type { Db } from "../platform/db/types.js";
import { parentPool } from "../user-pools/parent.js";
import type { createCustomAttributeInput, updateCustomAttributeInput } from "./schemas.js";
import * as q from "./queries.js";
import {
  customAttributeResult,
  definition,
  listCustomAttributes,
  type CustomAttributeDefinition,
  type CustomAttributeRow,
} from "../user-pools/child-views.js";
import { boundsFor } from "./rules.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock">;
export type CreateCustomAttributeInput = z.output<typeof createCustomAttributeInput>;
export type UpdateCustomAttributeInput = z.output<typeof updateCustomAttributeInput>;

/** Each updatable field's column; the bounds are checked together against the DataType (rules.ts). */
export const ATTRIBUTE_FIELDS: PatchRules<Omit<UpdateCustomAttributeInput, "UserPoolUid" | "Uid">, CustomAttributeRow> = {
  Name: "name",
  Mutability: "mutability",
  Minimum: null,
  Maximum: null,
};

/** The pool's custom attributes, oldest first; [] for a pool that has none (or that is not there). */
export async function customAttributesOf(db: Db, accountId: string, userPoolUid: string): Promise<CustomAttributeDefinition[]> {
  return (await listCustomAttributes(db, accountId, userPoolUid)).map(definition);
}

const duplicateName = (name: string) => () => errors.duplicated(`CustomAttribute ${name}`);

export async function createCustomAttribute(deps: Deps, accountId: string, input: CreateCustomAttributeInput) {
  const poolUid = input.UserPoolUid;
  const bounds = boundsFor(input.DataType, input);
  const now = deps.clock.now();
  const row = await deps.db.transaction().execute(async (trx) => {
    // KEY SHARE: the pool stays until we commit; the quota's own lock serializes this pool's creators.
    await parentPool(trx, accountId, poolUid, "share");
    await enforceQuota(trx, {
      name: "CustomAttributesPerPool",
      scope: `${accountId}:${poolUid}`,
      limit: deps.config.quotas.customAttributesPerPool,
      count: () => q.countCustomAttributes(trx, accountId, poolUid),
    });
    const insert = q.insertCustomAttribute(trx, {
      account_id: accountId,
      user_pool_uid: poolUid,
      uid: randomUUID(),
      name: input.Name,
      data_type: input.DataType,
      mutability: input.Mutability,
      ...bounds,
      created_at: now,
      updated_at: now,
    });
    return onUniqueViolation(insert, "user_pool_custom_attributes__name", duplicateName(input.Name));
  });
  return customAttributeResult(row);
}

/** Partial update: Name, Mutability and the bounds; the DataType stays what it was created as. */
export async function updateCustomAttribute(deps: Deps, accountId: string, input: UpdateCustomAttributeInput) {
  const { UserPoolUid, Uid, ...fields } = input;
  const key = { accountId, poolUid: UserPoolUid, uid: Uid };
  const row = await deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, accountId, key.poolUid, "share");
    const current = await q.findCustomAttributeForUpdate(trx, key);
    if (!current) throw errors.notFound(`CustomAttribute ${Uid}`);
    const changes = patchOf(fields, current, ATTRIBUTE_FIELDS);
    if (fields.Minimum !== undefined || fields.Maximum !== undefined) Object.assign(changes, boundsFor(current.data_type, fields, current));
    if (isEmpty(changes)) return current;
    const write = q.updateCustomAttribute(trx, key, { ...changes, updated_at: deps.clock.now() });
    return onUniqueViolation(write, "user_pool_custom_attributes__name", duplicateName(input.Name ?? ""));
  });
  return customAttributeResult(row);
}

export async function deleteCustomAttribute(deps: Pick<Deps, "db">, accountId: string, poolUid: string, uid: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, accountId, poolUid, "share");
    if (!(await q.deleteCustomAttribute(trx, { accountId, poolUid, uid }))) throw errors.notFound(`CustomAttribute ${uid}`);
  });
}
