// A pool's child rows (groups, custom attributes, connections) by their key: account, pool, uid.
// One spelling of the keyed update and delete for every family whose rows belong to a pool, beside
// parent.ts, which reads or locks the pool they belong to.
import type { Kysely, Selectable, Transaction, Updateable } from "kysely";
import type { Database } from "../platform/db/schema.js";

/** The tables keyed (account_id, user_pool_uid, uid). */
export type PoolChildTable = "groups" | "user_pool_custom_attributes" | "identity_providers";

export interface ChildKey {
  accountId: string;
  poolUid: string;
  uid: string;
}

type Db = Kysely<Database> | Transaction<Database>;
// Kysely cannot resolve column names on a table chosen by a type parameter: the key's three columns
// exist on every PoolChildTable, so the builder is used untyped here and the result typed again.
type Keyed = { where(column: string, op: "=", value: string): Keyed };
const byKey = <Q>(q: Q, k: ChildKey): Q =>
  (q as unknown as Keyed)
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where("uid", "=", k.uid) as unknown as Q;

/** Writes `changes` to the child row and returns it whole; undefined when there is no such row. */
export function updateChild<T extends PoolChildTable>(
  db: Db,
  table: T,
  k: ChildKey,
  changes: Updateable<Database[T]>,
): Promise<Selectable<Database[T]> | undefined> {
  const q = byKey(db.updateTable(table as PoolChildTable).set(changes as never), k);
  return q.returningAll().executeTakeFirst() as Promise<Selectable<Database[T]> | undefined>;
}

/** Deletes the child row (and, through foreign keys, what hangs off it); false when there was none. */
export async function deleteChild(db: Db, table: PoolChildTable, k: ChildKey): Promise<boolean> {
  const r = await byKey(db.deleteFrom(table), k).executeTakeFirst();
  return r.numDeletedRows > 0n;
}
