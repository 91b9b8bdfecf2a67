// SQL for the user_pool_custom_attributes table. Every query is scoped by account_id first, then the pool.
import type { Insertable, Kysely, Selectable, Transaction, Updateable } from "kysely";
import type { Database } from "../db/schema.js";
import type { UserPoolCustomAttributesTable } from "./tables.js";
import { countRows } from "../core/page.js";

export type CustomAttributeRow = Selectable<UserPoolCustomAttributesTable>;
type Db = Kysely<Database> | Transaction<Database>;

export interface AttributeKey {
  accountId: string;
  poolUid: string;
  uid: string;
}

const inPool = (db: Db, accountId: string, poolUid: string) =>
  db.selectFrom("user_pool_custom_attributes").where("account_id", "=", accountId).where("user_pool_uid", "=", poolUid);

/** A pool's attributes, oldest first (the order GetUserPool shows them in). */
export function listCustomAttributes(db: Db, accountId: string, poolUid: string): Promise<CustomAttributeRow[]> {
  return inPool(db, accountId, poolUid).selectAll().orderBy("created_at").orderBy("uid").execute();
}

export function countCustomAttributes(db: Db, accountId: string, poolUid: string): Promise<number> {
  return countRows(inPool(db, accountId, poolUid));
}

/** Locks the attribute for the rest of the transaction (partial updates read, check, then write). */
export function findCustomAttributeForUpdate(trx: Transaction<Database>, k: AttributeKey): Promise<CustomAttributeRow | undefined> {
  return inPool(trx, k.accountId, k.poolUid).selectAll().where("uid", "=", k.uid).forUpdate().executeTakeFirst();
}

export function insertCustomAttribute(db: Db, row: Insertable<UserPoolCustomAttributesTable>): Promise<CustomAttributeRow> {
  return db.insertInto("user_pool_custom_attributes").values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateCustomAttribute(db: Db, k: AttributeKey, changes: Updateable<UserPoolCustomAttributesTable>) {
  return db
    .updateTable("user_pool_custom_attributes")
    .set(changes)
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where("uid", "=", k.uid)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteCustomAttribute(db: Db, k: AttributeKey): Promise<boolean> {
  const r = await db
    .deleteFrom("user_pool_custom_attributes")
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where("uid", "=", k.uid)
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}
