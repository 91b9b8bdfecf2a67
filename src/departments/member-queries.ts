// SQL of department_members: the writes of the membership actions and sync, and the reads of both
// sides (a department's members, a user's departments). Scoped by (account_id, user_pool_uid) first.
import { sql, type Selectable } from "kysely";
import type { Db } from "../platform/db/types.js";
import type { DepartmentRow, PoolKey } from "./queries.js";
import type { DepartmentMembersTable } from "./tables.js";

export type MemberRow = Selectable<DepartmentMembersTable>;

const members = (db: Db, k: PoolKey) =>
  db.selectFrom("department_members").where("account_id", "=", k.accountId).where("user_pool_uid", "=", k.poolUid);

/** The given uids that are users of the pool. */
export async function existingUsers(db: Db, k: PoolKey, uids: string[]): Promise<Set<string>> {
  if (uids.length === 0) return new Set();
  const rows = await db
    .selectFrom("users")
    .select("uid")
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where("uid", "in", uids)
    .execute();
  return new Set(rows.map((r) => r.uid));
}

/** The department's memberships of the given users (all of them when `users` is undefined). */
export function membershipsIn(db: Db, k: PoolKey, department: string, users?: string[]): Promise<MemberRow[]> {
  let q = members(db, k).selectAll().where("department_uid", "=", department);
  if (users !== undefined) q = q.where("user_uid", "in", users.length ? users : [""]);
  return q.execute();
}

/** How many departments each given user is in (users in none are absent). */
export async function departmentCounts(db: Db, k: PoolKey, users: string[]): Promise<Map<string, number>> {
  if (users.length === 0) return new Map();
  const rows = await members(db, k)
    .select(["user_uid", sql<string>`count(*)`.as("n")])
    .where("user_uid", "in", users)
    .groupBy("user_uid")
    .execute();
  return new Map(rows.map((r) => [r.user_uid, Number(r.n)]));
}

export async function insertMembers(
  db: Db,
  k: PoolKey,
  rows: { department: string; user: string; isPrimary?: boolean; role?: string }[],
  now: Date,
): Promise<void> {
  // 2,000 rows of 7 parameters per statement: Postgres takes at most 65,535 parameters.
  for (let i = 0; i < rows.length; i += 2000) {
    await db
      .insertInto("department_members")
      .values(
        rows.slice(i, i + 2000).map((r) => ({
          account_id: k.accountId,
          user_pool_uid: k.poolUid,
          department_uid: r.department,
          user_uid: r.user,
          is_primary: r.isPrimary ?? false,
          role: r.role ?? "",
          created_at: now,
        })),
      )
      .execute();
  }
}

export async function deleteMembers(db: Db, k: PoolKey, department: string, users: string[]): Promise<number> {
  if (users.length === 0) return 0;
  const r = await db
    .deleteFrom("department_members")
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where("department_uid", "=", department)
    .where("user_uid", "in", users)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function updateMember(
  db: Db,
  k: PoolKey,
  department: string,
  user: string,
  changes: { is_primary?: boolean; role?: string; department_uid?: string },
): Promise<void> {
  await db
    .updateTable("department_members")
    .set(changes)
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where("department_uid", "=", department)
    .where("user_uid", "=", user)
    .execute();
}

/** Clears the primary mark of the users everywhere (before one of their memberships gets it). */
export async function clearPrimary(db: Db, k: PoolKey, users: string[]): Promise<void> {
  if (users.length === 0) return;
  await db
    .updateTable("department_members")
    .set({ is_primary: false })
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where("user_uid", "in", users)
    .where("is_primary", "=", true)
    .execute();
}

/** A page of a department's direct members, oldest membership first. */
export function memberListing(db: Db, k: PoolKey, department: string, f: { isPrimary?: boolean | undefined; role?: string | undefined }) {
  let q = members(db, k).where("department_uid", "=", department);
  if (f.isPrimary !== undefined) q = q.where("is_primary", "=", f.isPrimary);
  if (f.role !== undefined) q = q.where("role", "=", f.role);
  return q;
}

/** Each given user's memberships with their departments: primary first, then by Precedence and uid. */
export function departmentsOfUsers(
  db: Db,
  k: PoolKey,
  users: string[],
): Promise<(DepartmentRow & { user_uid: string; is_primary: boolean; role: string })[]> {
  return db
    .selectFrom("department_members as m")
    .innerJoin("departments as d", (j) =>
      j.onRef("d.account_id", "=", "m.account_id").onRef("d.user_pool_uid", "=", "m.user_pool_uid").onRef("d.uid", "=", "m.department_uid"),
    )
    .selectAll("d")
    .select(["m.user_uid", "m.is_primary", "m.role"])
    .where("m.account_id", "=", k.accountId)
    .where("m.user_pool_uid", "=", k.poolUid)
    .where("m.user_uid", "in", users.length ? users : [""])
    .orderBy("m.is_primary", "desc")
    .orderBy("d.precedence")
    .orderBy("d.uid")
    .execute();
}
