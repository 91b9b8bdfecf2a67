// Group membership: adding, removing and moving users, and reading memberships from either side.
//
// Every membership write (and DeleteGroup) takes the pool in "counter" mode, as DeleteUsers already
// does. That serializes them per pool, which is what the quotas need (a user's group count spans
// groups, so no single group's lock could guard it), and it gives them one lock order with a user
// delete, whose cascade removes memberships and whose trigger then updates the groups' counters: a
// writer that locked a group first and met the deleted user's row after would deadlock with it.
import type { Transaction } from "kysely";
import type { AppDeps } from "../deps.js";
import { errors } from "../core/errors.js";
import type { Database } from "../platform/db/schema.js";
import { parentPool } from "../user-pools/parent.js";
import { listUsers, type ListUsersInput } from "../users/list.js";
import * as q from "./queries.js";
import { findGroupOrThrow, groupNotFound, requireUsers, type GroupRef } from "./service.js";
import { groupListItem } from "./view.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock">;
type Quotas = Deps["config"]["quotas"];

/** Locks the pool and the group, and checks that every user is one of the pool's. */
async function lockForMembership(trx: Transaction<Database>, accountId: string, ref: GroupRef, userUids: string[]) {
  await parentPool(trx, accountId, ref.UserPoolUid, "counter");
  const key: q.GroupKey = { accountId, poolUid: ref.UserPoolUid, uid: ref.GroupUid };
  const group = await q.findGroupForUpdate(trx, key);
  if (!group) throw groupNotFound(ref.GroupUid);
  await requireUsers(trx, accountId, ref.UserPoolUid, userUids);
  return { key, group };
}

/** MembersPerGroup for the group after `adding` more; GroupsPerUser for each user joining one more group. */
function checkQuotas(quotas: Quotas, group: q.GroupRow, joining: string[], groupsBefore: (user: string) => number): void {
  if (group.total_members + joining.length > quotas.membersPerGroup) throw errors.quotaExceeded("MembersPerGroup");
  if (joining.some((u) => groupsBefore(u) + 1 > quotas.groupsPerUser)) throw errors.quotaExceeded("GroupsPerUser");
}

/** Adds the users, all or none; returns how many were not members yet. */
export async function addUsersToGroup(deps: Deps, accountId: string, input: GroupRef & { UserUids: string[] }): Promise<number> {
  const users = [...new Set(input.UserUids)];
  return deps.db.transaction().execute(async (trx) => {
    const { key, group } = await lockForMembership(trx, accountId, input, users);
    const already = await q.membersAmong(trx, key, users);
    const joining = users.filter((u) => !already.has(u));
    if (joining.length === 0) return 0;
    const counts = await q.groupCounts(trx, accountId, key.poolUid, joining);
    checkQuotas(deps.config.quotas, group, joining, (u) => counts.get(u) ?? 0);
    return (await q.insertMembers(trx, key, joining, deps.clock.now())).length;
  });
}

/** Removes the users from the group; users not in it are left as they are. Returns how many left. */
export async function removeUsersFromGroup(deps: Deps, accountId: string, input: GroupRef & { UserUids: string[] }): Promise<number> {
  const users = [...new Set(input.UserUids)];
  return deps.db.transaction().execute(async (trx) => {
    const { key } = await lockForMembership(trx, accountId, input, users);
    return q.deleteMembers(trx, accountId, key.poolUid, users, { only: key.uid });
  });
}

/** Each user ends up in NewGroupUid and in no other group, in one transaction. */
export async function changeUsersGroup(
  deps: Deps,
  accountId: string,
  input: { UserPoolUid: string; NewGroupUid: string; UserUids: string[] },
): Promise<void> {
  const users = [...new Set(input.UserUids)];
  await deps.db.transaction().execute(async (trx) => {
    const { key, group } = await lockForMembership(trx, accountId, { UserPoolUid: input.UserPoolUid, GroupUid: input.NewGroupUid }, users);
    await q.deleteMembers(trx, accountId, key.poolUid, users, { except: key.uid });
    const already = await q.membersAmong(trx, key, users);
    const joining = users.filter((u) => !already.has(u));
    // Each user is now in no group at all, so only the group's own quota can refuse.
    checkQuotas(deps.config.quotas, group, joining, () => 0);
    if (joining.length) await q.insertMembers(trx, key, joining, deps.clock.now());
  });
}

/** ListUsers within the group; NotFound for a missing pool or group. */
export async function listUsersInGroup(deps: Pick<Deps, "db">, accountId: string, ref: GroupRef, input: ListUsersInput) {
  const group = await findGroupOrThrow(deps.db, accountId, ref);
  return listUsers(deps, accountId, ref.UserPoolUid, input, { group: group.uid });
}

/** Each user (once, in the order given) with its groups; NotFound for a user not in the pool. */
export async function listGroupsForUsers(deps: Pick<Deps, "db">, accountId: string, poolUid: string, userUids: string[]) {
  await parentPool(deps.db, accountId, poolUid, "read");
  const users = [...new Set(userUids)];
  await requireUsers(deps.db, accountId, poolUid, users);
  const rows = await q.groupsOfUsers(deps.db, accountId, poolUid, users);
  return { Data: users.map((UserUid) => ({ UserUid, Groups: rows.filter((r) => r.user_uid === UserUid).map(groupListItem) })) };
}
