// SQL for pool_signing_keys (sql/028): every query a request reaches is scoped by account and pool;
// rotate-master's batches and housekeeping's purge cross accounts, as their declarations must.
import { sql, type InsertObject, type Kysely, type Selectable, type Transaction } from "kysely";
import type { Database } from "../platform/db/schema.js";
import type { Db } from "../platform/db/types.js";
import { countRows } from "../core/page.js";
import type { PoolSigningKeysTable, SigningAlg } from "./key-tables.js";

export type SigningKeyRow = Selectable<PoolSigningKeysTable>;

/** The keys a pool publishes at `now`: current ones, then retired ones still in their window; newest first within each. */
export function publishedKeys(db: Db, accountId: string, poolUid: string, now: Date): Promise<SigningKeyRow[]> {
  return db
    .selectFrom("pool_signing_keys")
    .selectAll()
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where((eb) => eb.or([eb("retired_at", "is", null), eb("publish_until", ">", now)]))
    .orderBy(sql`retired_at is not null`)
    .orderBy("created_at", "desc")
    .execute();
}

/** Inserts a current key unless the pool already has one of its algorithm (another instance won). */
export async function insertCurrentKey(db: Db, row: InsertObject<Database, "pool_signing_keys">): Promise<void> {
  await db
    .insertInto("pool_signing_keys")
    .values(row)
    .onConflict((oc) => oc.columns(["account_id", "user_pool_uid", "alg"]).where("retired_at", "is", null).doNothing())
    .execute();
}

/** Retires the pool's current keys of these algorithms; returns what was retired. */
export function retireCurrentKeys(trx: Transaction<Database>, accountId: string, poolUid: string, algs: readonly SigningAlg[], now: Date, publishUntil: Date) {
  return trx
    .updateTable("pool_signing_keys")
    .set({ retired_at: now, publish_until: publishUntil })
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where("alg", "in", algs)
    .where("retired_at", "is", null)
    .returning(["kid", "alg", "publish_until"])
    .execute();
}

/** Retired keys whose window ended before `cutoff`, in bounded batches (housekeeping). */
export async function deleteExpiredKeys(db: Kysely<Database>, cutoff: Date, limit: number): Promise<number> {
  const r = await sql`
    delete from pool_signing_keys where (account_id, user_pool_uid, kid) in (
      select account_id, user_pool_uid, kid from pool_signing_keys where publish_until < ${cutoff} limit ${limit})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

export type SealedKeyRow = Pick<SigningKeyRow, "account_id" | "user_pool_uid" | "kid" | "private_key_sealed" | "private_key_key_id">;

/** rotate-master: the next batch of keys sealed under one of `keyIds`, after the cursor, locked. */
export function lockKeysSealedUnder(trx: Transaction<Database>, keyIds: string[], after: SealedKeyRow | undefined, limit: number): Promise<SealedKeyRow[]> {
  let q = trx
    .selectFrom("pool_signing_keys")
    .select(["account_id", "user_pool_uid", "kid", "private_key_sealed", "private_key_key_id"])
    .where("private_key_key_id", "in", keyIds);
  if (after) q = q.where((eb) => eb(eb.refTuple("account_id", "user_pool_uid", "kid"), ">", eb.tuple(after.account_id, after.user_pool_uid, after.kid)));
  return q.orderBy("account_id").orderBy("user_pool_uid").orderBy("kid").limit(limit).forUpdate().execute();
}

export async function storeResealedKey(trx: Transaction<Database>, row: SealedKeyRow, sealed: { blob: Uint8Array; keyId: string }): Promise<void> {
  await trx
    .updateTable("pool_signing_keys")
    .set({ private_key_sealed: sealed.blob, private_key_key_id: sealed.keyId })
    .where("account_id", "=", row.account_id)
    .where("user_pool_uid", "=", row.user_pool_uid)
    .where("kid", "=", row.kid)
    .execute();
}

export const countKeysNotUnder = (db: Db, keyId: string) => countRows(db.selectFrom("pool_signing_keys").where("private_key_key_id", "<>", keyId));
