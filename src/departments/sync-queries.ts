// Set-based SQL of directory sync: each write of a run (BatchUpsertDepartments, a session's commit)
// is one statement over all its rows, whatever their number, carried as one JSON parameter (no
// limit of 65,535 bind parameters, the same text under postgres.js and PGlite). The paths of every
// department a run creates, moves or renames, and of everything below them, are recomputed in one
// recursive statement from the nearest unchanged ancestors.
import { sql, type RawBuilder } from "kysely";
import type { Db } from "../platform/db/types.js";
import type { DepartmentRow, PoolKey } from "./queries.js";

/** Rows as one jsonb parameter (text first: a driver must not encode the JSON again). */
export const jsonRows = (rows: unknown[]): RawBuilder<unknown> => sql`${JSON.stringify(rows)}::text::jsonb`;
const uidsIn = (uids: string[]) => sql`(select jsonb_array_elements_text(${jsonRows(uids)}))`;

export interface NewRow {
  uid: string;
  parent_uid: string | null;
  name: string;
  description: string;
  precedence: number;
  external_id: string;
}

/**
 * Inserts the departments with provisional paths ('/<uid>/', their own uid keeps them unique);
 * recomputePaths sets the real ones. Parents may be rows of the same statement: the foreign key is
 * checked at its end.
 */
export async function insertMany(db: Db, k: PoolKey, source: string, rows: NewRow[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  await sql`insert into departments (account_id, user_pool_uid, uid, parent_uid, path, depth, name, name_path, description,
      external_id, source, precedence, created_at, updated_at)
    select ${k.accountId}::bigint, ${k.poolUid}, x.uid, x.parent_uid, '/' || x.uid || '/', 1, x.name, '/' || x.name, x.description,
      x.external_id, ${source}, x.precedence, ${now}, ${now}
      from jsonb_to_recordset(${jsonRows(rows)}) as x(uid text, parent_uid text, name text, description text, external_id text, precedence int)`.execute(
    db,
  );
}

/** Sets parent, name, description and precedence of existing departments (paths follow in recomputePaths). */
export async function updateMany(db: Db, k: PoolKey, rows: Omit<NewRow, "external_id">[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  await sql`update departments d set parent_uid = x.parent_uid, name = x.name, description = x.description, precedence = x.precedence, updated_at = ${now}
      from jsonb_to_recordset(${jsonRows(rows)}) as x(uid text, parent_uid text, name text, description text, precedence int)
     where d.account_id = ${k.accountId} and d.user_pool_uid = ${k.poolUid} and d.uid = x.uid`.execute(db);
}

/**
 * Recomputes path, name_path and depth of the `anchors` (departments whose ancestors all kept their
 * paths) and of everything below them, top down along parent_uid: one statement, linear in the
 * subtrees. The deepest department it leaves (for the depth limit).
 */
export async function recomputePaths(db: Db, k: PoolKey, anchors: string[]): Promise<number> {
  if (anchors.length === 0) return 0;
  const r = await sql<{ deepest: number | null }>`
    with recursive t (uid, path, name_path, depth) as (
      select d.uid, coalesce(p.path, '/') || d.uid || '/', coalesce(p.name_path, '') || '/' || d.name, coalesce(p.depth, 0) + 1
        from departments d
        left join departments p on p.account_id = d.account_id and p.user_pool_uid = d.user_pool_uid and p.uid = d.parent_uid
       where d.account_id = ${k.accountId} and d.user_pool_uid = ${k.poolUid} and d.uid in ${uidsIn(anchors)}
      union all
      select c.uid, t.path || c.uid || '/', t.name_path || '/' || c.name, t.depth + 1
        from t join departments c on c.account_id = ${k.accountId} and c.user_pool_uid = ${k.poolUid} and c.parent_uid = t.uid
       where t.depth < 1000
    ), changed as (
      update departments d set path = t.path, name_path = t.name_path, depth = t.depth
        from t
       where d.account_id = ${k.accountId} and d.user_pool_uid = ${k.poolUid} and d.uid = t.uid
         and (d.path <> t.path or d.name_path <> t.name_path or d.depth <> t.depth)
      returning d.depth
    )
    select max(depth) as deepest from changed`.execute(db);
  return Number(r.rows[0]?.deepest ?? 0);
}

/** Deletes the departments with everything below them (memberships go with the foreign key). */
export async function deleteSubtrees(db: Db, k: PoolKey, uids: string[]): Promise<void> {
  if (uids.length === 0) return;
  await sql`delete from departments d
     using (select path from departments where account_id = ${k.accountId} and user_pool_uid = ${k.poolUid} and uid in ${uidsIn(uids)}) as x
     where d.account_id = ${k.accountId} and d.user_pool_uid = ${k.poolUid}
       and d.path >= (x.path collate "C") and d.path < ((x.path || chr(1114111)) collate "C")`.execute(db);
}

export async function rowsByUid(db: Db, k: PoolKey, uids: string[]): Promise<Map<string, DepartmentRow>> {
  if (uids.length === 0) return new Map();
  const r = await sql<DepartmentRow>`select * from departments
     where account_id = ${k.accountId} and user_pool_uid = ${k.poolUid} and uid in ${uidsIn(uids)}`.execute(db);
  return new Map(r.rows.map((row) => [row.uid, row]));
}

/** How many levels each department has below it (0: none), for the depth limit of a move. */
export async function heightsBelow(db: Db, k: PoolKey, rows: Pick<DepartmentRow, "uid" | "path">[]): Promise<Map<string, number>> {
  if (rows.length === 0) return new Map();
  const r = await sql<{ uid: string; h: number }>`
    select x.uid, (select max(d.depth) from departments d where d.account_id = ${k.accountId} and d.user_pool_uid = ${k.poolUid}
                     and d.path >= (x.path collate "C") and d.path < ((x.path || chr(1114111)) collate "C")) - top.depth as h
      from jsonb_to_recordset(${jsonRows(rows)}) as x(uid text, path text)
      join departments top on top.account_id = ${k.accountId} and top.user_pool_uid = ${k.poolUid} and top.uid = x.uid`.execute(db);
  return new Map(r.rows.map((x) => [x.uid, Number(x.h)]));
}

/** The Source's departments by ExternalID, of the given ExternalIDs. */
export async function departmentsByExternalId(db: Db, k: PoolKey, source: string, externalIds: string[]): Promise<Map<string, string>> {
  if (externalIds.length === 0) return new Map();
  const r = await sql<{ uid: string; external_id: string }>`select uid, external_id from departments
     where account_id = ${k.accountId} and user_pool_uid = ${k.poolUid} and source = ${source} and external_id in ${uidsIn(externalIds)}`.execute(
    db,
  );
  return new Map(r.rows.map((x) => [x.external_id, x.uid]));
}

/** The given uids that are users of the pool. */
export async function usersOfPool(db: Db, k: PoolKey, uids: string[]): Promise<Set<string>> {
  if (uids.length === 0) return new Set();
  const r = await sql<{ uid: string }>`select uid from users
     where account_id = ${k.accountId} and user_pool_uid = ${k.poolUid} and uid in ${uidsIn(uids)}`.execute(db);
  return new Set(r.rows.map((x) => x.uid));
}

export interface Membership {
  department_uid: string;
  user_uid: string;
  is_primary: boolean;
  role: string;
}

/** The memberships of the given departments. */
export async function membershipsOf(db: Db, k: PoolKey, departments: string[]): Promise<Membership[]> {
  if (departments.length === 0) return [];
  const r = await sql<Membership>`select department_uid, user_uid, is_primary, role from department_members
     where account_id = ${k.accountId} and user_pool_uid = ${k.poolUid} and department_uid in ${uidsIn(departments)}`.execute(db);
  return r.rows;
}

/** Each given user's department count and primary department (if any). */
export async function usersMemberships(
  db: Db,
  k: PoolKey,
  users: string[],
): Promise<Map<string, { count: number; primary: string | null }>> {
  if (users.length === 0) return new Map();
  const r = await sql<{ user_uid: string; n: string; primary_uid: string | null }>`
    select user_uid, count(*) as n, max(case when is_primary then department_uid end) as primary_uid from department_members
     where account_id = ${k.accountId} and user_pool_uid = ${k.poolUid} and user_uid in ${uidsIn(users)} group by user_uid`.execute(db);
  return new Map(r.rows.map((x) => [x.user_uid, { count: Number(x.n), primary: x.primary_uid }]));
}

/** Removes the given (department, user) memberships. */
export async function deleteMemberships(db: Db, k: PoolKey, pairs: { d: string; u: string }[]): Promise<void> {
  if (pairs.length === 0) return;
  await sql`delete from department_members m using jsonb_to_recordset(${jsonRows(pairs)}) as x(d text, u text)
     where m.account_id = ${k.accountId} and m.user_pool_uid = ${k.poolUid} and m.department_uid = x.d and m.user_uid = x.u`.execute(db);
}

/** Clears the primary mark of the given users everywhere but the department they keep it in. */
export async function clearPrimaries(db: Db, k: PoolKey, keep: { u: string; d: string | null }[]): Promise<void> {
  if (keep.length === 0) return;
  await sql`update department_members m set is_primary = false from jsonb_to_recordset(${jsonRows(keep)}) as x(u text, d text)
     where m.account_id = ${k.accountId} and m.user_pool_uid = ${k.poolUid} and m.user_uid = x.u and m.is_primary
       and m.department_uid is distinct from x.d`.execute(db);
}

/** Inserts the memberships, or sets IsPrimary and Role of those that exist. */
export async function upsertMemberships(db: Db, k: PoolKey, rows: Membership[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  await sql`insert into department_members (account_id, user_pool_uid, department_uid, user_uid, is_primary, role, created_at)
    select ${k.accountId}::bigint, ${k.poolUid}, x.department_uid, x.user_uid, x.is_primary, x.role, ${now}
      from jsonb_to_recordset(${jsonRows(rows)}) as x(department_uid text, user_uid text, is_primary boolean, role text)
    on conflict (account_id, user_pool_uid, department_uid, user_uid)
    do update set is_primary = excluded.is_primary, role = excluded.role`.execute(db);
}
