// SQL for a pool's delivery settings. One row per pool at most; every query is scoped by account_id
// first, then the pool.
import type { Selectable, Transaction, Updateable } from "kysely";
import type { Database } from "../platform/db/schema.js";
import type { Db } from "../platform/db/types.js";
import type { UserPoolSmsServicesTable } from "./tables.js";

export type SmsServiceRow = Selectable<UserPoolSmsServicesTable>;
export interface PoolKey {
  accountId: string;
  poolUid: string;
}

const emailOf = (db: Db, k: PoolKey) =>
  db.selectFrom("user_pool_email_services").where("account_id", "=", k.accountId).where("user_pool_uid", "=", k.poolUid);

/** The stored switch, or undefined when the pool has the default. */
export async function findEmailEnabled(db: Db, k: PoolKey): Promise<boolean | undefined> {
  return (await emailOf(db, k).select("enabled").executeTakeFirst())?.enabled;
}

/** As findEmailEnabled, holding the row until commit, so an UpsertEmailService waits for this transaction. */
export async function findEmailEnabledForShare(trx: Transaction<Database>, k: PoolKey): Promise<boolean | undefined> {
  return (await emailOf(trx, k).select("enabled").forShare().executeTakeFirst())?.enabled;
}

/** Sets the switch (or, with undefined, keeps a stored one and stores `fallback` otherwise); returns what is stored. */
export async function upsertEmailService(
  trx: Transaction<Database>,
  k: PoolKey,
  enabled: boolean | undefined,
  fallback: boolean,
  now: Date,
): Promise<boolean> {
  const row = { account_id: k.accountId, user_pool_uid: k.poolUid, enabled: enabled ?? fallback, created_at: now, updated_at: now };
  await trx
    .insertInto("user_pool_email_services")
    .values(row)
    .onConflict((oc) =>
      enabled === undefined
        ? oc.columns(["account_id", "user_pool_uid"]).doNothing()
        : oc.columns(["account_id", "user_pool_uid"]).doUpdateSet({ enabled, updated_at: now }),
    )
    .execute();
  return (await findEmailEnabled(trx, k))!;
}

export async function deleteEmailService(db: Db, k: PoolKey): Promise<boolean> {
  const r = await db
    .deleteFrom("user_pool_email_services")
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}

const smsOf = (db: Db, k: PoolKey) =>
  db.selectFrom("user_pool_sms_services").selectAll().where("account_id", "=", k.accountId).where("user_pool_uid", "=", k.poolUid);

export function findSmsService(db: Db, k: PoolKey): Promise<SmsServiceRow | undefined> {
  return smsOf(db, k).executeTakeFirst();
}

/** The pool's row, created with the defaults if missing, locked until commit (updates read, check, then write). */
export async function lockSmsService(trx: Transaction<Database>, k: PoolKey, now: Date): Promise<SmsServiceRow> {
  await trx
    .insertInto("user_pool_sms_services")
    .values({ account_id: k.accountId, user_pool_uid: k.poolUid, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(["account_id", "user_pool_uid"]).doNothing())
    .execute();
  return smsOf(trx, k).forUpdate().executeTakeFirstOrThrow();
}

export function updateSmsService(
  trx: Transaction<Database>,
  k: PoolKey,
  changes: Updateable<UserPoolSmsServicesTable>,
): Promise<SmsServiceRow> {
  return trx
    .updateTable("user_pool_sms_services")
    .set(changes)
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .returningAll()
    .executeTakeFirstOrThrow();
}
