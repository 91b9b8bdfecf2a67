// The user's side of department membership: ListUsers' department filters (Filter.DepartmentUid with
// DepartmentUidRecursive, NotInAnyDepartment), ListUsersInDepartment's department, and the
// DepartmentUids every user result carries. The departments family (src/departments/) owns the tree
// and writes memberships; this file only reads, so users never import departments.
import { sql, type SelectQueryBuilder, type SqlBool } from "kysely";
import type { Database } from "../platform/db/schema.js";
import type { Db } from "../platform/db/types.js";
import { fillMembershipUids } from "./membership-uids.js";

export interface DepartmentFilter {
  /** Member of each of these (recursive: of it or of a department below it). */
  within: { uid: string; recursive: boolean }[];
  /** true: in no department; false: in at least one. */
  inNone?: boolean | undefined;
}

type Input = { DepartmentUid?: string | undefined; DepartmentUidRecursive?: boolean | undefined; NotInAnyDepartment?: boolean | undefined };

/** The department part of a user filter, or undefined; `within`: ListUsersInDepartment's department. */
export function departmentFilterOf(f: Input = {}, within?: string): DepartmentFilter | undefined {
  const recursive = f.DepartmentUidRecursive === true;
  const uids = [...new Set([within, f.DepartmentUid].filter((d): d is string => Boolean(d)))];
  if (uids.length === 0 && f.NotInAnyDepartment === undefined) return undefined;
  return { within: uids.map((uid) => ({ uid, recursive })), inNone: f.NotInAnyDepartment };
}

/**
 * The users of one department (or of its subtree), as `uid = any(array(...))`: the array is built
 * once (an index range of departments__path, then the members of each department) and users are
 * probed by key, so the filter costs what the subtree holds, not what the pool holds. (A plain
 * `uid in (select ...)` let the planner hash-join every user of the pool against the subtree: 50,000
 * users read for a department of 1,000.) The pool comes as parameters, never users' columns, so the
 * array is built once per query, not once per user.
 */
function membersOf(d: { uid: string; recursive: boolean }, pool: { accountId: string; poolUid: string }) {
  if (!d.recursive) {
    return sql<SqlBool>`users.uid = any(array(select m.user_uid from department_members m where m.account_id = ${pool.accountId} and m.user_pool_uid = ${pool.poolUid} and m.department_uid = ${d.uid}))`;
  }
  return sql<SqlBool>`users.uid = any(array(select m.user_uid from departments top
    join departments s on s.account_id = top.account_id and s.user_pool_uid = top.user_pool_uid and s.path >= top.path and s.path < (top.path || chr(1114111)) collate "C"
    join department_members m on m.account_id = s.account_id and m.user_pool_uid = s.user_pool_uid and m.department_uid = s.uid
    where top.account_id = ${pool.accountId} and top.user_pool_uid = ${pool.poolUid} and top.uid = ${d.uid}))`;
}

const anyMembership = sql<SqlBool>`exists (select 1 from department_members m where m.account_id = users.account_id and m.user_pool_uid = users.user_pool_uid and m.user_uid = users.uid)`;

export function whereDepartments<O>(
  q: SelectQueryBuilder<Database, "users", O>,
  f: DepartmentFilter | undefined,
  pool: { accountId: string; poolUid: string },
): SelectQueryBuilder<Database, "users", O> {
  if (!f) return q;
  let out = q;
  for (const d of f.within) out = out.where(membersOf(d, pool));
  if (f.inNone !== undefined) out = out.where(f.inNone ? sql<SqlBool>`not ${anyMembership}` : anyMembership);
  return out;
}

/** Fills the DepartmentUids of user results (the primary one first, then by Precedence and uid), in one query. */
export const withDepartmentUids = <T extends { Uid: string; DepartmentUids: string[] }>(
  db: Db,
  accountId: string,
  poolUid: string,
  users: T[],
) =>
  fillMembershipUids(db, accountId, poolUid, users, "departments", (u, uids) => {
    u.DepartmentUids = uids;
  });
