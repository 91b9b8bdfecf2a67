// SQL for the groups and group_members tables. Every query is scoped by account_id first, then the
// pool, so each one is served by an index of sql/011_groups.sql that leads with them.
import { deleteChild, updateChild, type ChildKey } from "../user-pools/children.js";
import { sql, type Insertable, type Selectable, type SqlBool, type Transaction, type Updateable } from "kysely";
import type { Database } from "../platform/db/schema.js";
import type { Db } from "../platform/db/types.js";
import { containsPattern } from "../platform/db/text-match.js";
import { countRows, type Listing } from "../core/page.js";
import type { GroupsTable } from "./tables.js";

export type GroupRow = Selectable<GroupsTable>;

export type GroupKey = ChildKey;

const inPool = (db: Db, accountId: string, poolUid: string) =>
  db.selectFrom("groups").where("account_id", "=", accountId).where("user_pool_uid", "=", poolUid);
const selectGroup = (db: Db, k: GroupKey) => inPool(db, k.accountId, k.poolUid).selectAll().where("uid", "=", k.uid);

export function findGroup(db: Db, k: GroupKey): Promise<GroupRow | undefined> {
  return selectGroup(db, k).executeTakeFirst();
}

/**
 * Locks the group for the rest of the transaction. NO KEY UPDATE: it serializes writers of the group
 * (its member counter is read for the quota) but not the KEY SHARE of a membership's foreign key.
 */
export function findGroupForUpdate(trx: Transaction<Database>, k: GroupKey): Promise<GroupRow | undefined> {
  return selectGroup(trx, k).forNoKeyUpdate().executeTakeFirst();
}

export function countGroups(db: Db, accountId: string, poolUid: string): Promise<number> {
  return countRows(inPool(db, accountId, poolUid));
}

export function insertGroup(db: Db, row: Insertable<GroupsTable>): Promise<GroupRow> {
  return db.insertInto("groups").values(row).returningAll().executeTakeFirstOrThrow();
}

/** Callers hold the group's row lock, so the row is there. */
export async function updateGroup(db: Db, k: GroupKey, changes: Updateable<GroupsTable>): Promise<GroupRow> {
  const row = await updateChild(db, "groups", k, changes);
  if (!row) throw new Error(`group ${k.uid} vanished under its row lock`);
  return row;
}

/** Deletes the group and, through the foreign key, its memberships. */
export const deleteGroup = (db: Db, k: GroupKey): Promise<boolean> => deleteChild(db, "groups", k);

export interface GroupFilter {
  /** Each must match: a substring of the name, or (exact) the whole name, case-insensitively. */
  names: { text: string; exact: boolean }[];
  description?: string | undefined;
  source?: string | undefined;
  uids?: string[] | undefined;
  /** Only the groups this user is a member of. */
  memberUid?: string | undefined;
}

/** Names sort case-insensitively by code point, as users' text fields do. */
export const GROUP_SORTS = {
  Precedence: sql`precedence`,
  Name: sql`(lower(name) collate "C")`,
  CreateTime: sql`created_at`,
  UpdateTime: sql`updated_at`,
};

export function groupListing(
  db: Db,
  accountId: string,
  poolUid: string,
  f: GroupFilter,
  sort: { key: keyof typeof GROUP_SORTS; direction: "asc" | "desc" },
): Listing<Database, "groups", GroupRow> {
  let q = inPool(db, accountId, poolUid);
  for (const n of f.names)
    q = n.exact ? q.where(sql<SqlBool>`lower(name) = lower(${n.text})`) : q.where("name", "ilike", containsPattern(n.text));
  if (f.description !== undefined) q = q.where("description", "ilike", containsPattern(f.description));
  if (f.source !== undefined) q = q.where("source", "=", f.source);
  if (f.uids !== undefined) q = q.where(f.uids.length ? sql<SqlBool>`uid in (${sql.join(f.uids)})` : sql<SqlBool>`false`);
  if (f.memberUid !== undefined) {
    q = q.where(
      sql<SqlBool>`exists (select 1 from group_members m where m.account_id = groups.account_id and m.user_pool_uid = groups.user_pool_uid and m.group_uid = groups.uid and m.user_uid = ${f.memberUid})`,
    );
  }
  // The uid breaks ties, so pages never overlap or skip groups that share a sort value.
  return { filtered: q, rows: (r) => r.selectAll().orderBy(GROUP_SORTS[sort.key], sort.direction).orderBy("uid", sort.direction) };
}

/** The given uids that are users of the pool. */
export async function existingUsers(db: Db, accountId: string, poolUid: string, uids: string[]): Promise<Set<string>> {
  const rows = await db
    .selectFrom("users")
    .select("uid")
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where("uid", "in", uids)
    .execute();
  return new Set(rows.map((r) => r.uid));
}

/** Adds the users to the group; those already in it stay as they are. Returns the uids added. */
export async function insertMembers(trx: Transaction<Database>, k: GroupKey, userUids: string[], now: Date): Promise<string[]> {
  const rows = userUids.map((user_uid) => ({
    account_id: k.accountId,
    user_pool_uid: k.poolUid,
    group_uid: k.uid,
    user_uid,
    created_at: now,
  }));
  const added = await trx
    .insertInto("group_members")
    .values(rows)
    .onConflict((oc) => oc.doNothing())
    .returning("user_uid")
    .execute();
  return added.map((r) => r.user_uid);
}

/** Removes the users from one group (`only`), or from every group but one (`except`). Returns how many memberships went. */
export async function deleteMembers(
  trx: Transaction<Database>,
  accountId: string,
  poolUid: string,
  userUids: string[],
  group: { only: string } | { except: string },
): Promise<number> {
  let q = trx
    .deleteFrom("group_members")
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where("user_uid", "in", userUids);
  q = "only" in group ? q.where("group_uid", "=", group.only) : q.where("group_uid", "<>", group.except);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** The given users that are already members of the group. */
export async function membersAmong(db: Db, k: GroupKey, userUids: string[]): Promise<Set<string>> {
  const rows = await db
    .selectFrom("group_members")
    .select("user_uid")
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where("group_uid", "=", k.uid)
    .where("user_uid", "in", userUids)
    .execute();
  return new Set(rows.map((r) => r.user_uid));
}

/** How many groups each of the given users is in (users in none are absent). */
export async function groupCounts(db: Db, accountId: string, poolUid: string, userUids: string[]): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom("group_members")
    .select(["user_uid", sql<string>`count(*)`.as("n")])
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where("user_uid", "in", userUids)
    .groupBy("user_uid")
    .execute();
  return new Map(rows.map((r) => [r.user_uid, Number(r.n)]));
}

/** Each given user's groups, lowest Precedence first (then by uid). */
export function groupsOfUsers(db: Db, accountId: string, poolUid: string, userUids: string[]) {
  return db
    .selectFrom("group_members as m")
    .innerJoin("groups as g", (j) =>
      j.onRef("g.account_id", "=", "m.account_id").onRef("g.user_pool_uid", "=", "m.user_pool_uid").onRef("g.uid", "=", "m.group_uid"),
    )
    .selectAll("g")
    .select("m.user_uid")
    .where("m.account_id", "=", accountId)
    .where("m.user_pool_uid", "=", poolUid)
    .where("m.user_uid", "in", userUids)
    .orderBy("g.precedence")
    .orderBy("g.uid")
    .execute();
}
