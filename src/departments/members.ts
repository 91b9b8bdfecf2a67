// Department membership use cases: adding, removing and moving users, a member's IsPrimary and Role,
// and the reads from either side. Writes take the pool's tree lock (lock.ts) like every tree write,
// so the per-user quota counted under it holds and a membership never lands in a department that a
// concurrent delete is removing.
import type { Transaction } from "kysely";
import type { AppDeps } from "../deps.js";
import { errors } from "../core/errors.js";
import { countRows } from "../core/page.js";
import type { Database } from "../platform/db/schema.js";
import type { Db } from "../platform/db/types.js";
import { parentPool } from "../user-pools/parent.js";
import { listUsers, type ListUsersInput } from "../users/list.js";
import { lockTree } from "./lock.js";
import * as mq from "./member-queries.js";
import * as q from "./queries.js";
import { keyOf, requireDepartment } from "./tree.js";
import { viewsOf } from "./view.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock">;
interface MembershipInput {
  UserPoolUid: string;
  DepartmentUid: string;
  UserUids: string[];
}

/** NotFound `User <uid>` for the first uid that is not a user of the pool. */
export async function requireUsers(db: Db, k: q.PoolKey, uids: string[]): Promise<void> {
  const known = await mq.existingUsers(db, k, uids);
  const unknown = uids.find((u) => !known.has(u));
  if (unknown !== undefined) throw errors.notFound(`User ${unknown}`);
}

/** DepartmentsPerUser for users each joining one more department. */
export async function checkUserQuota(db: Db, k: q.PoolKey, limit: number, joining: string[]): Promise<void> {
  const counts = await mq.departmentCounts(db, k, joining);
  if (joining.some((u) => (counts.get(u) ?? 0) + 1 > limit)) throw errors.quotaExceeded("DepartmentsPerUser");
}

async function locked<T>(
  deps: Deps,
  accountId: string,
  input: MembershipInput,
  work: (trx: Transaction<Database>, k: q.PoolKey, users: string[]) => Promise<T>,
): Promise<T> {
  const k = keyOf(accountId, input.UserPoolUid);
  const users = [...new Set(input.UserUids)];
  return deps.db.transaction().execute(async (trx) => {
    await lockTree(trx, k);
    await requireDepartment(trx, k, input.DepartmentUid);
    await requireUsers(trx, k, users);
    return work(trx, k, users);
  });
}

/** Adds the users (all or none); those already members stay as they are. Returns how many joined. */
export function addUsersToDepartment(deps: Deps, accountId: string, input: MembershipInput): Promise<number> {
  return locked(deps, accountId, input, async (trx, k, users) => {
    const already = new Set((await mq.membershipsIn(trx, k, input.DepartmentUid, users)).map((m) => m.user_uid));
    const joining = users.filter((u) => !already.has(u));
    await checkUserQuota(trx, k, deps.config.quotas.departmentsPerUser, joining);
    await mq.insertMembers(
      trx,
      k,
      joining.map((user) => ({ department: input.DepartmentUid, user })),
      deps.clock.now(),
    );
    return joining.length;
  });
}

export function removeUsersFromDepartment(deps: Deps, accountId: string, input: MembershipInput): Promise<number> {
  return locked(deps, accountId, input, (trx, k, users) => mq.deleteMembers(trx, k, input.DepartmentUid, users));
}

/**
 * Moves each user's membership from OriginDepartmentUid to NewDepartmentUid, keeping its IsPrimary
 * and Role; every user must be a member of the origin. A user already in the new department keeps
 * that membership (taking the primary mark along when the origin had it).
 */
export async function changeUsersDepartment(
  deps: Deps,
  accountId: string,
  input: { UserPoolUid: string; OriginDepartmentUid: string; NewDepartmentUid: string; UserUids: string[] },
): Promise<number> {
  return locked(deps, accountId, { ...input, DepartmentUid: input.OriginDepartmentUid }, async (trx, k, users) => {
    await requireDepartment(trx, k, input.NewDepartmentUid);
    const origin = await mq.membershipsIn(trx, k, input.OriginDepartmentUid, users);
    const outside = users.find((u) => !origin.some((m) => m.user_uid === u));
    if (outside !== undefined)
      throw errors.invalidParameter("UserUids", `user ${outside} is not a member of department ${input.OriginDepartmentUid}`);
    if (input.NewDepartmentUid === input.OriginDepartmentUid) return 0;
    const there = new Set((await mq.membershipsIn(trx, k, input.NewDepartmentUid, users)).map((m) => m.user_uid));
    for (const m of origin) {
      if (!there.has(m.user_uid)) {
        await mq.updateMember(trx, k, input.OriginDepartmentUid, m.user_uid, { department_uid: input.NewDepartmentUid });
        continue;
      }
      await mq.deleteMembers(trx, k, input.OriginDepartmentUid, [m.user_uid]);
      if (m.is_primary) await mq.updateMember(trx, k, input.NewDepartmentUid, m.user_uid, { is_primary: true });
    }
    return origin.length;
  });
}

/** IsPrimary and Role of one membership; a new primary membership takes the mark from the user's others. */
export async function updateDepartmentMember(
  deps: Deps,
  accountId: string,
  input: { UserPoolUid: string; DepartmentUid: string; UserUid: string; IsPrimary?: boolean | undefined; Role?: string | undefined },
): Promise<void> {
  await locked(deps, accountId, { ...input, UserUids: [input.UserUid] }, async (trx, k) => {
    const [member] = await mq.membershipsIn(trx, k, input.DepartmentUid, [input.UserUid]);
    if (!member) throw errors.notFound(`User ${input.UserUid} in Department ${input.DepartmentUid}`);
    if (input.IsPrimary === true && !member.is_primary) await mq.clearPrimary(trx, k, [input.UserUid]);
    const changes = {
      ...(input.IsPrimary !== undefined && { is_primary: input.IsPrimary }),
      ...(input.Role !== undefined && { role: input.Role }),
    };
    if (Object.keys(changes).length) await mq.updateMember(trx, k, input.DepartmentUid, input.UserUid, changes);
  });
}

export async function listDepartmentMembers(
  deps: Pick<Deps, "db">,
  accountId: string,
  input: {
    UserPoolUid: string;
    DepartmentUid: string;
    IsPrimary?: boolean | undefined;
    Role?: string | undefined;
    PageNumber: number;
    PageSize: number;
  },
) {
  const k = keyOf(accountId, input.UserPoolUid);
  await parentPool(deps.db, accountId, k.poolUid, "read");
  await requireDepartment(deps.db, k, input.DepartmentUid);
  const filtered = mq.memberListing(deps.db, k, input.DepartmentUid, { isPrimary: input.IsPrimary, role: input.Role });
  const [rows, total] = await Promise.all([
    filtered
      .select(["user_uid", "is_primary", "role"])
      .orderBy("created_at")
      .orderBy("user_uid")
      .offset((input.PageNumber - 1) * input.PageSize)
      .limit(input.PageSize)
      .execute(),
    countRows(filtered),
  ]);
  return {
    Members: rows.map((r) => ({ UserUid: r.user_uid, IsPrimary: r.is_primary, Role: r.role })),
    PageNumber: input.PageNumber,
    PageSize: input.PageSize,
    TotalCount: total,
  };
}

/** ListUsers within the department (and, with Filter.DepartmentUidRecursive, the departments below it). */
export async function listUsersInDepartment(
  deps: Pick<Deps, "db">,
  accountId: string,
  input: { UserPoolUid: string; DepartmentUid: string } & ListUsersInput,
) {
  const { UserPoolUid, DepartmentUid, ...rest } = input;
  const k = keyOf(accountId, UserPoolUid);
  await parentPool(deps.db, accountId, UserPoolUid, "read");
  await requireDepartment(deps.db, k, DepartmentUid);
  const page = await listUsers(deps, accountId, UserPoolUid, rest, { department: DepartmentUid });
  return { Data: page.Data, PageNumber: page.PageNumber, PageSize: page.PageSize, TotalCount: page.TotalCount };
}

/** Each user (once, in the order given) with its memberships; NotFound for a user not in the pool. */
export async function departmentsForUsers(deps: Pick<Deps, "db">, accountId: string, poolUid: string, userUids: string[]) {
  const k = keyOf(accountId, poolUid);
  await parentPool(deps.db, accountId, poolUid, "read");
  const users = [...new Set(userUids)];
  await requireUsers(deps.db, k, users);
  const rows = await mq.departmentsOfUsers(deps.db, k, users);
  const distinct = [...new Map(rows.map((r) => [r.uid, r])).values()];
  const views = new Map(viewsOf(distinct, await q.countsOf(deps.db, k, distinct)).map((v) => [v.Uid, v]));
  return users.map((UserUid) => ({
    UserUid,
    Departments: rows
      .filter((r) => r.user_uid === UserUid)
      .map((r) => ({ Department: views.get(r.uid)!, IsPrimary: r.is_primary, Role: r.role })),
  }));
}
