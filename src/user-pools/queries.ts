// SQL for the user_pools table. Every query is scoped by account_id first.
import { sql, type Insertable, type Kysely, type Selectable, type SelectQueryBuilder, type Transaction, type Updateable } from "kysely";
import type { Database } from "../platform/db/schema.js";
import type { Tag, UserPoolsTable } from "./tables.js";
import { containsPattern } from "../platform/db/text-match.js";
import { countRows, type Listing } from "../core/page.js";
import { prepared } from "../platform/db/prepared.js";

export type UserPoolRow = Selectable<UserPoolsTable>;
type Db = Kysely<Database> | Transaction<Database>;

/** The pool row by uid; parent.ts adds the lock a child operation needs. */
export const selectUserPool = (db: Db, accountId: string, uid: string) =>
  db.selectFrom("user_pools").selectAll().where("account_id", "=", accountId).where("uid", "=", uid);

export function findUserPool(db: Db, accountId: string, uid: string): Promise<UserPoolRow | undefined> {
  return selectUserPool(db, accountId, uid).executeTakeFirst();
}

/** A custom attribute as the whole-pool read returns it (JSON: times as text, account_id as text). */
export interface PoolAttributeJson {
  account_id: string;
  user_pool_uid: string;
  uid: string;
  name: string;
  data_type: string;
  mutability: string;
  minimum: number;
  maximum: number;
  created_at: string;
  updated_at: string;
}

/**
 * GetUserPool's read in one round trip: the row, its custom attributes (oldest first) and its ACTIVE
 * custom domain. The signed read is held to its ratio over the database floor (bench/REPORT.md), and
 * three statements cost the server three times the driver and compiler work of one.
 */
const wholeUserPool = prepared((db: Db, accountId: string, uid: string) =>
  selectUserPool(db, accountId, uid).select([
    sql<PoolAttributeJson[]>`(select coalesce(json_agg(json_build_object(
          'account_id', a.account_id::text, 'user_pool_uid', a.user_pool_uid, 'uid', a.uid, 'name', a.name,
          'data_type', a.data_type, 'mutability', a.mutability, 'minimum', a.minimum, 'maximum', a.maximum,
          'created_at', a.created_at, 'updated_at', a.updated_at) order by a.created_at, a.uid), '[]'::json)
        from user_pool_custom_attributes a where a.account_id = user_pools.account_id and a.user_pool_uid = user_pools.uid)`.as(
      "attributes_json",
    ),
    sql<string | null>`(select d.domain from user_pool_domains d
        where d.account_id = user_pools.account_id and d.user_pool_uid = user_pools.uid and d.status = 'ACTIVE' limit 1)`.as(
      "active_domain",
    ),
  ]),
);

/** Compiled once, bound per call (platform/db/prepared.ts): the hottest read of the API. */
export function findWholeUserPool(db: Db, accountId: string, uid: string) {
  return wholeUserPool.first(db, accountId, uid);
}

/** Locks the pool row for the rest of the transaction (partial updates read, merge, then write). */
export function findUserPoolForUpdate(trx: Transaction<Database>, accountId: string, uid: string) {
  return selectUserPool(trx, accountId, uid).forUpdate().executeTakeFirst();
}

export function countUserPools(db: Db, accountId: string): Promise<number> {
  return countRows(db.selectFrom("user_pools").where("account_id", "=", accountId));
}

/** jsonb from its JSON text, typed text first: a bare jsonb parameter would be encoded once more, and a JS array may go as a Postgres array. */
export const jsonb = (value: unknown) => sql<never>`cast(cast(${JSON.stringify(value)} as text) as jsonb)`;

export function insertUserPool(db: Db, row: Insertable<UserPoolsTable> & { tags: Tag[] }): Promise<UserPoolRow> {
  return db
    .insertInto("user_pools")
    .values({ ...row, tags: jsonb(row.tags) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface PoolFilter {
  name?: string | undefined;
  description?: string | undefined;
  uid?: string | undefined;
  /** Already resolved from the Trn: a Trn of another region or account matches nothing. */
  trnUid?: string | null | undefined;
  projectName?: string | undefined;
  /** Every filter must match: the pool has the Key and, when Values is given and not empty, one of them. */
  tagFilters: { Key: string; Values?: string[] | undefined }[];
}

export type TagFilterSpec = PoolFilter["tagFilters"][number];

/** Pools that match every filter: the Key, and when Values is not empty, one of the Values (ListUserPools, ListTagsForResources). */
export function whereTagsMatch<O>(
  query: SelectQueryBuilder<Database, "user_pools", O>,
  filters: TagFilterSpec[],
): SelectQueryBuilder<Database, "user_pools", O> {
  let q = query;
  for (const t of filters) {
    const wanted = t.Values?.length ? t.Values.map((Value) => [{ Key: t.Key, Value }]) : [[{ Key: t.Key }]];
    q = q.where((eb) => eb.or(wanted.map((w) => eb(sql.ref("tags"), "@>", jsonb(w)))));
  }
  return q;
}

export type PoolSortColumn = "created_at" | "updated_at" | "name";

export function userPoolListing(
  db: Db,
  accountId: string,
  f: PoolFilter,
  sort: { column: PoolSortColumn; direction: "asc" | "desc" },
): Listing<Database, "user_pools", UserPoolRow> {
  let filtered = db.selectFrom("user_pools").where("account_id", "=", accountId);
  if (f.name !== undefined) filtered = filtered.where("name", "ilike", containsPattern(f.name));
  if (f.description !== undefined) filtered = filtered.where("description", "ilike", containsPattern(f.description));
  if (f.uid !== undefined) filtered = filtered.where("uid", "=", f.uid);
  if (f.trnUid === null) filtered = filtered.where(sql<boolean>`false`);
  else if (f.trnUid !== undefined) filtered = filtered.where("uid", "=", f.trnUid);
  if (f.projectName !== undefined) filtered = filtered.where("project_name", "=", f.projectName);
  filtered = whereTagsMatch(filtered, f.tagFilters);
  return {
    filtered,
    // The uid breaks ties, so pages never overlap or skip pools that share a timestamp.
    rows: (q) => q.selectAll().orderBy(sort.column, sort.direction).orderBy("uid", sort.direction),
  };
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
