// SQL for the user_pool_custom_attributes table. Every query is scoped by account_id first, then the pool.
import { deleteChild, updateChild, type ChildKey } from "../user-pools/children.js";
import type { Insertable, Kysely, Transaction, Updateable } from "kysely";
import type { Database } from "../platform/db/schema.js";
import type { UserPoolCustomAttributesTable } from "./tables.js";
import type { CustomAttributeRow } from "../user-pools/child-views.js";
import { countRows } from "../core/page.js";

type Db = Kysely<Database> | Transaction<Database>;

export type AttributeKey = ChildKey;

const inPool = (db: Db, accountId: string, poolUid: string) =>
  db.selectFrom("user_pool_custom_attributes").where("account_id", "=", accountId).where("user_pool_uid", "=", poolUid);

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

/** Callers hold the attribute's row lock, so the row is there. */
export async function updateCustomAttribute(
  db: Db,
  k: AttributeKey,
  changes: Updateable<UserPoolCustomAttributesTable>,
): Promise<CustomAttributeRow> {
  const row = await updateChild(db, "user_pool_custom_attributes", k, changes);
  if (!row) throw new Error(`custom attribute ${k.uid} vanished under its row lock`);
  return row;
}

export const deleteCustomAttribute = (db: Db, k: AttributeKey): Promise<boolean> => deleteChild(db, "user_pool_custom_attributes", k);
