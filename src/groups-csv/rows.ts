// CreateUserGroupsCsv's rows: each names a user (by UserIdentifierType) and a group (by Name,
// case-insensitively, as group names are unique); rows that resolve are applied group by group
// through the groups family's own membership writes (quotas and locks included), 100 users a call.
import type { AppDeps } from "../deps.js";
import { ApiError } from "../core/errors.js";
import type { Db } from "../platform/db/types.js";
import { addUsersToGroup, changeUsersGroup } from "../groups/members.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock">;
export const IDENTIFIER_TYPES = ["Uid", "Email", "PreferredUsername", "PhoneNumber", "ExternalProviderUserIdentifier"] as const;
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];

export interface RowOutcome {
  index: number;
  identifier: string;
  uid?: string;
  error?: { type: string; code: string; message: string; field: string; duplicatedUserUid?: string };
}

/** The users the identifiers name (identifier -> uid), one query. */
async function resolveUsers(
  db: Db,
  accountId: string,
  poolUid: string,
  type: IdentifierType,
  ids: string[],
  connection: string | undefined,
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  if (type === "ExternalProviderUserIdentifier") {
    let q = db
      .selectFrom("external_identities")
      .select(["external_user_id as id", "user_uid as uid"])
      .where("account_id", "=", accountId)
      .where("user_pool_uid", "=", poolUid)
      .where("external_user_id", "in", ids);
    if (connection) q = q.where("connection_uid", "=", connection);
    return new Map((await q.execute()).map((r) => [r.id, r.uid]));
  }
  const column = ({ Uid: "uid", Email: "email", PreferredUsername: "preferred_username", PhoneNumber: "phone_number" } as const)[type];
  const lower = type === "Email" || type === "PreferredUsername";
  const rows = await db
    .selectFrom("users")
    .select(["uid", `${column} as id`])
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where(
      lower
        ? (e) =>
            e(
              e.fn("lower", [column]),
              "in",
              ids.map((i) => i.toLowerCase()),
            )
        : (e) => e(column, "in", ids),
    )
    .execute();
  return new Map(rows.filter((r) => r.id !== null).map((r) => [lower ? r.id!.toLowerCase() : r.id!, r.uid]));
}

async function resolveGroups(db: Db, accountId: string, poolUid: string, names: string[]): Promise<Map<string, string>> {
  if (names.length === 0) return new Map();
  const rows = await db
    .selectFrom("groups")
    .select(["uid", "name"])
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where((e) =>
      e(
        e.fn("lower", ["name"]),
        "in",
        names.map((n) => n.toLowerCase()),
      ),
    )
    .execute();
  return new Map(rows.map((r) => [r.name.toLowerCase(), r.uid]));
}

const fail = (type: string, code: string, message: string, field: string, duplicatedUserUid?: string) => ({
  type,
  code,
  message,
  field,
  ...(duplicatedUserUid && { duplicatedUserUid }),
});

export async function applyRows(
  deps: Deps,
  accountId: string,
  poolUid: string,
  opts: { type: IdentifierType; connection?: string | undefined; unique: boolean },
  rows: { identifier: string; group: string }[],
): Promise<RowOutcome[]> {
  const key = (id: string) => (opts.type === "Email" || opts.type === "PreferredUsername" ? id.toLowerCase() : id);
  const users = await resolveUsers(
    deps.db,
    accountId,
    poolUid,
    opts.type,
    [...new Set(rows.map((r) => r.identifier).filter(Boolean))],
    opts.connection,
  );
  const groups = await resolveGroups(deps.db, accountId, poolUid, [...new Set(rows.map((r) => r.group).filter(Boolean))]);
  const outcomes: RowOutcome[] = [];
  const seen = new Set<string>();
  const byGroup = new Map<string, RowOutcome[]>();
  rows.forEach((r, index) => {
    const o: RowOutcome = { index, identifier: r.identifier };
    outcomes.push(o);
    const uid = users.get(key(r.identifier));
    const group = groups.get(r.group.toLowerCase());
    if (!uid)
      o.error = fail("NotFound", "NotFound", `no user of the pool has ${opts.type} ${JSON.stringify(r.identifier.slice(0, 128))}`, "User");
    else if (!group)
      o.error = fail("NotFound", "NotFound", `no group of the pool is named ${JSON.stringify(r.group.slice(0, 128))}`, "GroupName");
    else if (opts.unique && seen.has(uid))
      o.error = fail("Duplicated", "Duplicated", "with UniqueGroupPerUserEnabled a user may appear on one row only", "User", uid);
    else {
      o.uid = uid;
      seen.add(uid);
      byGroup.set(group, [...(byGroup.get(group) ?? []), o]);
    }
  });
  for (const [group, members] of byGroup) {
    for (let i = 0; i < members.length; i += 100) {
      const part = members.slice(i, i + 100);
      const uids = part.map((o) => o.uid!);
      try {
        if (opts.unique) await changeUsersGroup(deps, accountId, { UserPoolUid: poolUid, NewGroupUid: group, UserUids: uids });
        else await addUsersToGroup(deps, accountId, { UserPoolUid: poolUid, GroupUid: group, UserUids: uids });
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        for (const o of part) {
          o.error = fail(err.code.split(".")[0]!, err.code, err.message, "GroupName");
          delete o.uid;
        }
      }
    }
  }
  return outcomes;
}
