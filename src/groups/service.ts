// Groups of a user pool: each function is one use case; writes own their transaction and take the
// pool first (src/user-pools/parent.ts), then their own row. Memberships are in members.ts.
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { AppDeps } from "../deps.js";
import { errors } from "../core/errors.js";
import { offsetPage, type Page } from "../core/page.js";
import { isEmpty, patchOf, type PatchRules } from "../core/patch.js";
import { onUniqueViolation } from "../platform/db/errors.js";
import { enforceQuota } from "../platform/db/quota.js";
import type { Db } from "../platform/db/types.js";
import { parentPool } from "../user-pools/parent.js";
import type { createGroupInput, listGroupsInput, updateGroupInput } from "./schemas.js";
import * as q from "./queries.js";
import { groupListItem, groupView } from "./view.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock">;
export type CreateGroupInput = z.output<typeof createGroupInput>;
export type UpdateGroupInput = z.output<typeof updateGroupInput>;
export type ListGroupsInput = Omit<z.output<typeof listGroupsInput>, "UserPoolUid">;
export interface GroupRef {
  UserPoolUid: string;
  GroupUid: string;
}

export const groupNotFound = (uid: string) => errors.notFound(`Group ${uid}`);
const keyOf = (accountId: string, ref: GroupRef): q.GroupKey => ({ accountId, poolUid: ref.UserPoolUid, uid: ref.GroupUid });

/** NotFound `User <uid>` for the first of the uids that is not a user of the pool. */
export async function requireUsers(db: Db, accountId: string, poolUid: string, uids: string[]): Promise<void> {
  const known = await q.existingUsers(db, accountId, poolUid, uids);
  const unknown = uids.find((u) => !known.has(u));
  if (unknown !== undefined) throw errors.notFound(`User ${unknown}`);
}

/** Each updatable field's column (the Name is not: upstream's UpdateGroup has none). */
export const GROUP_FIELDS: PatchRules<Omit<UpdateGroupInput, "UserPoolUid" | "GroupUid">, q.GroupRow> = {
  Description: "description",
  Precedence: "precedence",
  IamRoleTrn: "iam_role_trn",
};

export async function createGroup(deps: Deps, accountId: string, input: CreateGroupInput) {
  const poolUid = input.UserPoolUid;
  const now = deps.clock.now();
  const row = await deps.db.transaction().execute(async (trx) => {
    // KEY SHARE: the pool stays until we commit; the quota's own lock serializes this pool's creators.
    await parentPool(trx, accountId, poolUid, "share");
    await enforceQuota(trx, {
      name: "GroupsPerPool",
      scope: `${accountId}:${poolUid}`,
      limit: deps.config.quotas.groupsPerPool,
      count: () => q.countGroups(trx, accountId, poolUid),
    });
    const insert = q.insertGroup(trx, {
      account_id: accountId,
      user_pool_uid: poolUid,
      uid: randomUUID(),
      name: input.Name,
      description: input.Description ?? "",
      precedence: input.Precedence ?? 0,
      iam_role_trn: input.IamRoleTrn ?? "",
      created_at: now,
      updated_at: now,
    });
    return onUniqueViolation(insert, "groups__name", () => errors.duplicated(`Group ${input.Name}`));
  });
  return groupView(row);
}

/** The group, or NotFound for its pool (first) or for it. */
export async function findGroupOrThrow(db: Db, accountId: string, ref: GroupRef): Promise<q.GroupRow> {
  await parentPool(db, accountId, ref.UserPoolUid, "read");
  const row = await q.findGroup(db, keyOf(accountId, ref));
  if (!row) throw groupNotFound(ref.GroupUid);
  return row;
}

export async function getGroup(deps: Pick<Deps, "db">, accountId: string, ref: GroupRef) {
  return groupView(await findGroupOrThrow(deps.db, accountId, ref));
}

/** Partial update by GROUP_FIELDS; a call that changes nothing writes nothing (src/core/patch.ts). */
export async function updateGroup(deps: Deps, accountId: string, input: UpdateGroupInput) {
  const { UserPoolUid, GroupUid, ...fields } = input;
  const key = keyOf(accountId, input);
  const row = await deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, accountId, UserPoolUid, "share");
    const current = await q.findGroupForUpdate(trx, key);
    if (!current) throw groupNotFound(GroupUid);
    const changes = patchOf(fields, current, GROUP_FIELDS);
    return isEmpty(changes) ? current : q.updateGroup(trx, key, { ...changes, updated_at: deps.clock.now() });
  });
  return groupView(row);
}

/**
 * Deletes the group; its memberships go with it (foreign key). The pool in "counter" mode, as every
 * membership write takes it (members.ts): one lock order for all of them.
 */
export async function deleteGroup(deps: Pick<Deps, "db">, accountId: string, ref: GroupRef): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, accountId, ref.UserPoolUid, "counter");
    if (!(await q.deleteGroup(trx, keyOf(accountId, ref)))) throw groupNotFound(ref.GroupUid);
  });
}

/** ListGroups, or (memberUid given) ListGroupsForUser: that user's groups, NotFound when it is not in the pool. */
export async function listGroups(
  deps: Pick<Deps, "db">,
  accountId: string,
  poolUid: string,
  input: ListGroupsInput,
  memberUid?: string,
): Promise<Page<ReturnType<typeof groupListItem>>> {
  await parentPool(deps.db, accountId, poolUid, "read");
  if (memberUid !== undefined) await requireUsers(deps.db, accountId, poolUid, [memberUid]);
  const f = input.Filter ?? {};
  const field = input.SortField ?? "Precedence";
  const direction = input.SortDirection ?? (field === "Precedence" || field === "Name" ? "Asc" : "Desc");
  // GroupIdTokenName is the name (view.ts), so it filters the name as well: the whole of it.
  const names = [
    ...(f.Name ? [{ text: f.Name, exact: f.NameMatchMode === 1 }] : []),
    ...(f.GroupIdTokenName ? [{ text: f.GroupIdTokenName, exact: true }] : []),
  ];
  const filter: q.GroupFilter = {
    names,
    description: f.Description || undefined,
    source: f.Source || undefined,
    uids: f.GroupUidsOr,
    memberUid,
  };
  const listing = q.groupListing(deps.db, accountId, poolUid, filter, { key: field, direction: direction === "Asc" ? "asc" : "desc" });
  return offsetPage(listing, input, groupListItem);
}
