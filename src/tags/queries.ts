// SQL for the tags of user pools. Tags live on the pool row (user_pools.tags, jsonb in the caller's
// order; sql/009), so they go with the pool and a pool's tag write is one row lock.
import { sql, type Transaction } from "kysely";
import type { Database } from "../platform/db/schema.js";
import type { Db } from "../platform/db/types.js";
import { jsonb, whereTagsMatch, type TagFilterSpec } from "../user-pools/queries.js";
import type { Tag } from "../user-pools/tables.js";

/**
 * The pools' tags, locked until commit, in uid order: two writers naming the same pools lock them in
 * the same order, so they queue instead of deadlocking. NO KEY UPDATE, as a pool's other writers.
 */
export function lockPoolTags(trx: Transaction<Database>, accountId: string, uids: string[]): Promise<{ uid: string; tags: Tag[] }[]> {
  return trx
    .selectFrom("user_pools")
    .select(["uid", "tags"])
    .where("account_id", "=", accountId)
    .where("uid", "in", uids)
    .orderBy("uid")
    .forNoKeyUpdate()
    .execute();
}

export async function setPoolTags(trx: Transaction<Database>, accountId: string, uid: string, tags: Tag[]): Promise<void> {
  await trx
    .updateTable("user_pools")
    .set({ tags: jsonb(tags) })
    .where("account_id", "=", accountId)
    .where("uid", "=", uid)
    .execute();
}

export async function existingPoolUids(db: Db, accountId: string, uids: string[]): Promise<Set<string>> {
  const rows = await db.selectFrom("user_pools").select("uid").where("account_id", "=", accountId).where("uid", "in", uids).execute();
  return new Set(rows.map((r) => r.uid));
}

export interface TagRow {
  uid: string;
  key: string;
  value: string;
}

export interface TagListing {
  accountId: string;
  /** Only these pools (already known to exist), or every pool of the account. */
  uids?: string[] | undefined;
  filters: TagFilterSpec[];
  /** Continue after this (pool uid, tag key). */
  after?: { uid: string; key: string } | undefined;
  limit: number;
}

/** One tag per row, ordered by pool uid then key (byte order, as the cursor compares them). */
export function listPoolTags(db: Db, l: TagListing): Promise<TagRow[]> {
  let pools = db.selectFrom("user_pools").where("account_id", "=", l.accountId);
  if (l.uids) pools = pools.where("uid", "in", l.uids);
  const expanded = whereTagsMatch(pools, l.filters)
    .select(["uid", sql<Tag>`jsonb_array_elements(tags)`.as("tag")])
    .as("t");
  let q = db
    .selectFrom(expanded)
    .select([sql<string>`t.uid`.as("uid"), sql<string>`t.tag->>'Key'`.as("key"), sql<string>`t.tag->>'Value'`.as("value")]);
  if (l.after)
    q = q.where(sql<boolean>`(t.uid collate "C", t.tag->>'Key' collate "C") > (${l.after.uid} collate "C", ${l.after.key} collate "C")`);
  return q.orderBy(sql`t.uid collate "C"`).orderBy(sql`t.tag->>'Key' collate "C"`).limit(l.limit).execute();
}
