// SQL of the departments table: finding, inserting, moving and deleting departments, their listing,
// and the counts every department result carries. Every query leads with (account_id, user_pool_uid),
// as every index of sql/040_departments.sql does; a subtree is one range of departments__path.
import { sql, type Insertable, type RawBuilder, type Selectable, type SqlBool, type Updateable } from "kysely";
import type { Database } from "../platform/db/schema.js";
import type { Db } from "../platform/db/types.js";
import { containsPattern } from "../platform/db/text-match.js";
import type { Listing } from "../core/page.js";
import type { DepartmentsTable } from "./tables.js";

export type DepartmentRow = Selectable<DepartmentsTable>;
export interface PoolKey {
  accountId: string;
  poolUid: string;
}
export interface Counts {
  children: number;
  members: number;
  memberCount: number;
}
export type CountedRow = DepartmentRow & Counts;

export const inPool = (db: Db, k: PoolKey) =>
  db.selectFrom("departments").where("account_id", "=", k.accountId).where("user_pool_uid", "=", k.poolUid);

/** The departments whose path starts with `path` (the department itself and everything below it). */
export const inSubtree = (path: string) =>
  sql<SqlBool>`(path >= ${path}::text collate "C" and path < (${path}::text || chr(1114111)) collate "C")`;

export function findDepartment(db: Db, k: PoolKey, uid: string): Promise<DepartmentRow | undefined> {
  return inPool(db, k).selectAll().where("uid", "=", uid).executeTakeFirst();
}

export async function findDepartments(db: Db, k: PoolKey, uids: string[]): Promise<DepartmentRow[]> {
  if (uids.length === 0) return [];
  return inPool(db, k).selectAll().where("uid", "in", uids).execute();
}

export function findByExternalId(db: Db, k: PoolKey, source: string, externalId: string): Promise<DepartmentRow | undefined> {
  return inPool(db, k).selectAll().where("source", "=", source).where("external_id", "=", externalId).executeTakeFirst();
}

export async function countDepartments(db: Db, k: PoolKey): Promise<number> {
  const r = await inPool(db, k).select(sql<string>`count(*)`.as("n")).executeTakeFirstOrThrow();
  return Number(r.n);
}

export function insertDepartment(db: Db, row: Insertable<DepartmentsTable>): Promise<DepartmentRow> {
  return db.insertInto("departments").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateDepartment(db: Db, k: PoolKey, uid: string, changes: Updateable<DepartmentsTable>): Promise<DepartmentRow> {
  return db
    .updateTable("departments")
    .set(changes)
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where("uid", "=", uid)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Rewrites the subtree under `from` (its top included) to hang at `to`: the path and name path
 * prefixes are replaced and the depth shifted, in one statement linear in the subtree.
 */
export async function rewriteSubtree(
  db: Db,
  k: PoolKey,
  from: { path: string; namePath: string; depth: number },
  to: { path: string; namePath: string; depth: number },
): Promise<void> {
  await db
    .updateTable("departments")
    .set({
      path: sql`${to.path}::text || substr(path, ${from.path.length + 1})`,
      name_path: sql`${to.namePath}::text || substr(name_path, ${from.namePath.length + 1})`,
      depth: sql`depth + ${to.depth - from.depth}::int`,
    })
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where(inSubtree(from.path))
    .execute();
}

/** The subtree's departments, top first then by depth (so parents come before children). */
export function subtree(db: Db, k: PoolKey, path: string, maxDepth?: number): Promise<DepartmentRow[]> {
  let q = inPool(db, k).selectAll().where(inSubtree(path));
  if (maxDepth !== undefined) q = q.where("depth", "<=", maxDepth);
  return q.orderBy("depth").orderBy("precedence").orderBy("uid").execute();
}

/** Every department of the pool, parents before children. */
export function wholeTree(db: Db, k: PoolKey, maxDepth?: number): Promise<DepartmentRow[]> {
  let q = inPool(db, k).selectAll();
  if (maxDepth !== undefined) q = q.where("depth", "<=", maxDepth);
  return q.orderBy("depth").orderBy("precedence").orderBy("uid").execute();
}

/** How many departments the subtree holds and how many memberships they have. */
export async function subtreeSize(db: Db, k: PoolKey, path: string): Promise<{ departments: number; memberships: number }> {
  const r = await sql<{ departments: string; memberships: string }>`
    select (select count(*) from departments where account_id = ${k.accountId} and user_pool_uid = ${k.poolUid} and ${inSubtree(path)}) as departments,
           (select count(*) from department_members m join departments d on d.account_id = m.account_id and d.user_pool_uid = m.user_pool_uid and d.uid = m.department_uid
             where d.account_id = ${k.accountId} and d.user_pool_uid = ${k.poolUid} and ${inSubtree(path)}) as memberships`.execute(db);
  const row = r.rows[0]!;
  return { departments: Number(row.departments), memberships: Number(row.memberships) };
}

/** Deletes the subtree (its memberships go through the foreign key); the number of departments gone. */
export async function deleteSubtree(db: Db, k: PoolKey, path: string): Promise<number> {
  const r = await db
    .deleteFrom("departments")
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where(inSubtree(path))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * The three counts of each given department, one statement. `rows` few (a page): one index range per
 * row. Subtrees of the rows may overlap; each is counted on its own.
 */
export async function countsOf(db: Db, k: PoolKey, rows: Pick<DepartmentRow, "uid" | "path">[]): Promise<Map<string, Counts>> {
  if (rows.length === 0) return new Map();
  const values = sql.join(rows.map((r) => sql`(${r.uid}::text, ${r.path}::text)`));
  const r = await sql<{ uid: string; children: string; members: string; member_count: string }>`
    select r.uid,
      (select count(*) from departments c where c.account_id = ${k.accountId} and c.user_pool_uid = ${k.poolUid} and c.parent_uid = r.uid) as children,
      (select count(*) from department_members m where m.account_id = ${k.accountId} and m.user_pool_uid = ${k.poolUid} and m.department_uid = r.uid) as members,
      (select count(distinct m.user_uid) from departments s
         join department_members m on m.account_id = s.account_id and m.user_pool_uid = s.user_pool_uid and m.department_uid = s.uid
        where s.account_id = ${k.accountId} and s.user_pool_uid = ${k.poolUid}
          and s.path >= (r.path collate "C") and s.path < ((r.path || chr(1114111)) collate "C")) as member_count
    from (values ${values}) as r(uid, path)`.execute(db);
  return new Map(
    r.rows.map((x) => [x.uid, { children: Number(x.children), members: Number(x.members), memberCount: Number(x.member_count) }]),
  );
}

/** countsOf for any number of departments, a page's worth per statement. */
export async function countsOfMany(db: Db, k: PoolKey, rows: Pick<DepartmentRow, "uid" | "path">[]): Promise<Map<string, Counts>> {
  const out = new Map<string, Counts>();
  for (let i = 0; i < rows.length; i += 100) for (const [uid, c] of await countsOf(db, k, rows.slice(i, i + 100))) out.set(uid, c);
  return out;
}

/**
 * The counts of every department of a subtree (or of the pool: path undefined) in three aggregates
 * over it, each linear in the subtree's departments or memberships times its depth.
 */
export async function subtreeCounts(db: Db, k: PoolKey, path: string | undefined): Promise<Map<string, Counts>> {
  const within =
    path === undefined
      ? sql<SqlBool>`true`
      : sql<SqlBool>`d.path >= ${path}::text collate "C" and d.path < (${path}::text || chr(1114111)) collate "C"`;
  const [children, members, memberCount] = await Promise.all([
    sql<{ uid: string; n: string }>`select d.parent_uid as uid, count(*) as n from departments d
      where d.account_id = ${k.accountId} and d.user_pool_uid = ${k.poolUid} and d.parent_uid is not null and ${within} group by d.parent_uid`.execute(
      db,
    ),
    sql<{ uid: string; n: string }>`select m.department_uid as uid, count(*) as n from department_members m
      join departments d on d.account_id = m.account_id and d.user_pool_uid = m.user_pool_uid and d.uid = m.department_uid
      where d.account_id = ${k.accountId} and d.user_pool_uid = ${k.poolUid} and ${within} group by m.department_uid`.execute(db),
    // Each membership counts once for its department and once for every ancestor (the path's uids).
    sql<{ uid: string; n: string }>`select a.uid, count(distinct m.user_uid) as n from department_members m
      join departments d on d.account_id = m.account_id and d.user_pool_uid = m.user_pool_uid and d.uid = m.department_uid
      cross join lateral unnest(string_to_array(trim(both '/' from d.path), '/')) as a(uid)
      where d.account_id = ${k.accountId} and d.user_pool_uid = ${k.poolUid} and ${within} group by a.uid`.execute(db),
  ]);
  const out = new Map<string, Counts>();
  const get = (uid: string) => out.get(uid) ?? (out.set(uid, { children: 0, members: 0, memberCount: 0 }), out.get(uid)!);
  for (const r of children.rows) get(r.uid).children = Number(r.n);
  for (const r of members.rows) get(r.uid).members = Number(r.n);
  for (const r of memberCount.rows) get(r.uid).memberCount = Number(r.n);
  return out;
}

export interface DepartmentFilter {
  uid?: string | undefined;
  name?: { text: string; exact: boolean } | undefined;
  description?: string | undefined;
  externalId?: string | undefined;
  source?: string | undefined;
}

/** The filter as a condition on a departments row (no alias). */
export function filterSql(f: DepartmentFilter): RawBuilder<SqlBool>[] {
  const out: RawBuilder<SqlBool>[] = [];
  if (f.uid !== undefined) out.push(sql<SqlBool>`uid = ${f.uid}`);
  if (f.name)
    out.push(f.name.exact ? sql<SqlBool>`lower(name) = lower(${f.name.text})` : sql<SqlBool>`name ilike ${containsPattern(f.name.text)}`);
  if (f.description !== undefined) out.push(sql<SqlBool>`description ilike ${containsPattern(f.description)}`);
  if (f.externalId !== undefined) out.push(sql<SqlBool>`external_id = ${f.externalId}`);
  if (f.source !== undefined) out.push(sql<SqlBool>`source = ${f.source}`);
  return out;
}

/**
 * Each sort: the expression ordered by, the same key as text for a NextToken (times in microseconds
 * since the epoch, exact), and the token's text back as a value comparable with the expression.
 */
export const DEPARTMENT_SORTS = {
  Precedence: { expr: sql`precedence`, text: sql<string>`precedence::text`, value: (k: string) => sql`${k}::int` },
  Name: { expr: sql`(lower(name) collate "C")`, text: sql<string>`lower(name)`, value: (k: string) => sql`(${k}::text collate "C")` },
  CreateTime: {
    expr: sql`created_at`,
    text: sql<string>`((extract(epoch from created_at) * 1000000)::bigint)::text`,
    value: (k: string) => sql`('epoch'::timestamptz + ${k}::bigint * interval '1 microsecond')`,
  },
  UpdateTime: {
    expr: sql`updated_at`,
    text: sql<string>`((extract(epoch from updated_at) * 1000000)::bigint)::text`,
    value: (k: string) => sql`('epoch'::timestamptz + ${k}::bigint * interval '1 microsecond')`,
  },
};

/**
 * The direct children of `parent` (null: the top level), filtered and sorted, the uid breaking ties;
 * with `after`, only the rows past that (key, uid) in the sort's order (a keyset page). Each row
 * carries its sort key as text (`sort_key`) for the next NextToken.
 */
export function childListing(
  db: Db,
  k: PoolKey,
  parent: string | null,
  f: DepartmentFilter,
  sort: { key: keyof typeof DEPARTMENT_SORTS; direction: "asc" | "desc" },
  after?: { key: string; uid: string },
): Listing<Database, "departments", DepartmentRow & { sort_key: string }> {
  let q = inPool(db, k).where(parent === null ? sql<SqlBool>`parent_uid is null` : sql<SqlBool>`parent_uid = ${parent}`);
  for (const c of filterSql(f)) q = q.where(c);
  const s = DEPARTMENT_SORTS[sort.key];
  const past = after
    ? sql<SqlBool>`(${s.expr}, uid) ${sql.raw(sort.direction === "asc" ? ">" : "<")} (${s.value(after.key)}, ${after.uid})`
    : undefined;
  return {
    filtered: q,
    rows: (r) =>
      (past ? r.where(past) : r).selectAll().select(s.text.as("sort_key")).orderBy(s.expr, sort.direction).orderBy("uid", sort.direction),
  };
}

/** The uids of the subtree's departments matching the filter. */
export async function matching(db: Db, k: PoolKey, path: string | undefined, f: DepartmentFilter): Promise<Set<string>> {
  let q = inPool(db, k).select("uid");
  if (path !== undefined) q = q.where(inSubtree(path));
  for (const c of filterSql(f)) q = q.where(c);
  return new Set((await q.execute()).map((r) => r.uid));
}
