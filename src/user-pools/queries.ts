// SQL for the user_pools table. Every query is scoped by account_id first.
import type { Kysely, Selectable, Transaction, Updateable } from "kysely";
import type { Database } from "../db/schema.js";
import type { UserPoolsTable } from "./tables.js";
import { containsPattern } from "../db/text-match.js";
import { countRows, type Listing } from "../core/page.js";

export type UserPoolRow = Selectable<UserPoolsTable>;
type Db = Kysely<Database> | Transaction<Database>;

/** The pool row by uid; parent.ts adds the lock a child operation needs. */
export const selectUserPool = (db: Db, accountId: string, uid: string) =>
  db.selectFrom("user_pools").selectAll().where("account_id", "=", accountId).where("uid", "=", uid);

export function findUserPool(db: Db, accountId: string, uid: string): Promise<UserPoolRow | undefined> {
  return selectUserPool(db, accountId, uid).executeTakeFirst();
}

/** Locks the pool row for the rest of the transaction (partial updates read, merge, then write). */
export function findUserPoolForUpdate(trx: Transaction<Database>, accountId: string, uid: string) {
  return selectUserPool(trx, accountId, uid).forUpdate().executeTakeFirst();
}

export function countUserPools(db: Db, accountId: string): Promise<number> {
  return countRows(db.selectFrom("user_pools").where("account_id", "=", accountId));
}

export function insertUserPool(db: Db, row: Omit<UserPoolRow, "total_users" | "total_clients" | "total_connections">): Promise<UserPoolRow> {
  return db.insertInto("user_pools").values(row).returningAll().executeTakeFirstOrThrow();
}

/** The account's pools, newest first, optionally those whose name contains `name`. */
export function userPoolListing(db: Db, accountId: string, name: string | undefined): Listing<Database, "user_pools", UserPoolRow> {
  let filtered = db.selectFrom("user_pools").where("account_id", "=", accountId);
  if (name !== undefined) filtered = filtered.where("name", "ilike", containsPattern(name));
  return { filtered, rows: (q) => q.selectAll().orderBy("created_at", "desc").orderBy("uid") };
}

export function updateUserPool(db: Db, accountId: string, uid: string, changes: Updateable<UserPoolsTable>) {
  return db
    .updateTable("user_pools")
    .set(changes)
    .where("account_id", "=", accountId)
    .where("uid", "=", uid)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteUserPool(db: Db, accountId: string, uid: string): Promise<boolean> {
  const r = await db.deleteFrom("user_pools").where("account_id", "=", accountId).where("uid", "=", uid).executeTakeFirst();
  return r.numDeletedRows > 0n;
}
