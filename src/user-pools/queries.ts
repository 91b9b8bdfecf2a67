// SQL for the user_pools table. Every query is scoped by account_id first.
import type { Kysely, Selectable, Transaction, Updateable } from "kysely";
import type { Database } from "../db/schema.js";
import type { UserPoolsTable } from "./tables.js";
import { containsPattern } from "../db/text-match.js";

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

export async function countUserPools(db: Db, accountId: string): Promise<number> {
  const r = await db.selectFrom("user_pools").select((eb) => eb.fn.countAll<string>().as("n")).where("account_id", "=", accountId).executeTakeFirstOrThrow();
  return Number(r.n);
}

export function insertUserPool(db: Db, row: Omit<UserPoolRow, "total_users" | "total_clients" | "total_connections">): Promise<UserPoolRow> {
  return db.insertInto("user_pools").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function listUserPools(db: Db, accountId: string, opts: { offset: number; limit: number; name?: string | undefined }) {
  let base = db.selectFrom("user_pools").where("account_id", "=", accountId);
  if (opts.name !== undefined) base = base.where("name", "ilike", containsPattern(opts.name));
  const [rows, total] = await Promise.all([
    base.selectAll().orderBy("created_at", "desc").orderBy("uid").offset(opts.offset).limit(opts.limit).execute(),
    base.select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

export function updateUserPool(db: Db, accountId: string, uid: string, changes: Updateable<UserPoolsTable>) {
  return db
    .updateTable("user_pools")
    .set({ ...changes, updated_at: new Date() })
    .where("account_id", "=", accountId)
    .where("uid", "=", uid)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteUserPool(db: Db, accountId: string, uid: string): Promise<boolean> {
  const r = await db.deleteFrom("user_pools").where("account_id", "=", accountId).where("uid", "=", uid).executeTakeFirst();
  return r.numDeletedRows > 0n;
}
