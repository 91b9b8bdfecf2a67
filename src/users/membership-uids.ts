// The one read behind users' GroupUids and DepartmentUids (and the sign-in claims that list them):
// each user's memberships in one statement, joined to what they are memberships of for its order.
// Groups come lowest Precedence first; departments the primary one first, then by Precedence; the
// uid breaks ties in both.
import { sql } from "kysely";
import type { Db } from "../platform/db/types.js";

const KINDS = {
  groups: { members: sql.table("group_members"), owners: sql.table("groups"), key: sql.ref("m.group_uid"), primaryFirst: sql`` },
  departments: {
    members: sql.table("department_members"),
    owners: sql.table("departments"),
    key: sql.ref("m.department_uid"),
    primaryFirst: sql`m.is_primary desc,`,
  },
};

/** user uid -> the uids of its groups or departments, in the order above (users in none are absent). */
export async function membershipUids(
  db: Db,
  accountId: string,
  poolUid: string,
  users: string[],
  kind: keyof typeof KINDS,
): Promise<Map<string, string[]>> {
  const byUser = new Map<string, string[]>();
  if (users.length === 0) return byUser;
  const k = KINDS[kind];
  const rows = await sql<{ user_uid: string; uid: string }>`
    select m.user_uid, ${k.key} as uid from ${k.members} m
      join ${k.owners} o on o.account_id = m.account_id and o.user_pool_uid = m.user_pool_uid and o.uid = ${k.key}
     where m.account_id = ${accountId} and m.user_pool_uid = ${poolUid} and m.user_uid in (${sql.join(users)})
     order by ${k.primaryFirst} o.precedence, o.uid`.execute(db);
  for (const r of rows.rows) {
    const list = byUser.get(r.user_uid) ?? [];
    list.push(r.uid);
    byUser.set(r.user_uid, list);
  }
  return byUser;
}

/** Sets each user result's list (GroupUids, DepartmentUids) from one membershipUids read. */
export async function fillMembershipUids<T extends { Uid: string }>(
  db: Db,
  accountId: string,
  poolUid: string,
  users: T[],
  kind: keyof typeof KINDS,
  set: (user: T, uids: string[]) => void,
): Promise<T[]> {
  const byUser = await membershipUids(
    db,
    accountId,
    poolUid,
    users.map((u) => u.Uid),
    kind,
  );
  for (const u of users) set(u, byUser.get(u.Uid) ?? []);
  return users;
}
