// The user's side of group membership: ListUsers' group filters (Filter.GroupUid, GroupUidsOr,
// NotInAnyGroup) and the GroupUids every user result carries. The groups family (src/groups/) owns
// groups and writes memberships; this file only reads group_members, so users never import groups.
import { sql, type SelectQueryBuilder, type SqlBool } from "kysely";
import { z } from "zod";
import { uid } from "../core/schemas.js";
import type { Database } from "../platform/db/schema.js";
import type { Db } from "../platform/db/types.js";
import { fillMembershipUids } from "./membership-uids.js";

/** The ListUsers Filter keys about groups (the Filter object makes them optional). */
export const groupFilterFields = {
  GroupUid: z.string().trim().max(128).describe('members of this group ("" is no filter)'),
  GroupUidsOr: z.array(uid()).max(100).describe("members of at least one of these groups"),
  NotInAnyGroup: z.boolean().describe("true: users in no group; false: users in at least one"),
};

export interface GroupFilter {
  /** Member of every one of these. */
  all: string[];
  /** Member of at least one of these ([] matches nobody). */
  any?: string[] | undefined;
  /** true: in no group; false: in some group. */
  inNone?: boolean | undefined;
}

type GroupFilterInput = { GroupUid?: string | undefined; GroupUidsOr?: string[] | undefined; NotInAnyGroup?: boolean | undefined };

/** The group part of a user filter, or undefined when it asks nothing about groups; `within`: ListUsersInGroup's group. */
export function groupFilterOf(f: GroupFilterInput = {}, within?: string): GroupFilter | undefined {
  const all = [...new Set([within, f.GroupUid].filter((g): g is string => Boolean(g)))];
  if (all.length === 0 && f.GroupUidsOr === undefined && f.NotInAnyGroup === undefined) return undefined;
  return { all, any: f.GroupUidsOr, inNone: f.NotInAnyGroup };
}

/**
 * When the filter asks only for membership of one group: that group's member counter (kept exact by
 * the group_members triggers), for TotalCount instead of counting up to 100,000s of members per page.
 */
export function soleGroupCount(
  db: Db,
  accountId: string,
  poolUid: string,
  g: GroupFilter | undefined,
): (() => Promise<number>) | undefined {
  if (!g || g.all.length !== 1 || g.any !== undefined || g.inNone !== undefined) return undefined;
  const group = g.all[0]!;
  return async () => {
    const row = await db
      .selectFrom("groups")
      .select("total_members")
      .where("account_id", "=", accountId)
      .where("user_pool_uid", "=", poolUid)
      .where("uid", "=", group)
      .executeTakeFirst();
    return row?.total_members ?? 0;
  };
}

/** A membership of the row's user: each is one probe of a group_members index per candidate user. */
const membership = (groups?: string[]) =>
  sql<SqlBool>`exists (select 1 from group_members m where m.account_id = users.account_id and m.user_pool_uid = users.user_pool_uid and m.user_uid = users.uid${
    groups === undefined ? sql`` : sql` and m.group_uid in (${sql.join(groups)})`
  })`;

export function whereGroups<O>(
  q: SelectQueryBuilder<Database, "users", O>,
  g: GroupFilter | undefined,
): SelectQueryBuilder<Database, "users", O> {
  if (!g) return q;
  let out = q;
  for (const group of g.all) out = out.where(membership([group]));
  if (g.any !== undefined) out = out.where(g.any.length ? membership(g.any) : sql<SqlBool>`false`);
  if (g.inNone !== undefined) out = out.where(g.inNone ? sql<SqlBool>`not ${membership()}` : membership());
  return out;
}

/** Fills the GroupUids of user results (lowest Precedence first, then by uid), in one query. */
export const withGroupUids = <T extends { Uid: string; GroupUids: string[] }>(db: Db, accountId: string, poolUid: string, users: T[]) =>
  fillMembershipUids(db, accountId, poolUid, users, "groups", (u, uids) => {
    u.GroupUids = uids;
  });
