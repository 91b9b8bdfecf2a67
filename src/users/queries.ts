// SQL for the users table. Every query is scoped by account_id and user_pool_uid first, so each
// one is served by an index that leads with them.
import { sql, type Insertable, type Kysely, type Selectable, type Transaction, type Updateable } from "kysely";
import type { Database } from "../platform/db/schema.js";
import { normalizeEmail } from "../core/email.js";
import { inSlices } from "../platform/db/slices.js";
import { prepared } from "../platform/db/prepared.js";
import type { UsersTable } from "./tables.js";

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
type Db = Kysely<Database> | Transaction<Database>;

/** Compiled once, bound per call (platform/db/prepared.ts): GetUser and every write of one user read it. */
const userByUid = prepared((db: Db, accountId: string, poolUid: string, uid: string) =>
  db.selectFrom("users").selectAll().where("account_id", "=", accountId).where("user_pool_uid", "=", poolUid).where("uid", "=", uid),
);

export function findUser(db: Db, accountId: string, poolUid: string, uid: string): Promise<UserRow | undefined> {
  return userByUid.first(db, accountId, poolUid, uid);
}

/** An external identity as the whole-user read returns it (JSON: times as text). */
export interface UserIdentityJson {
  connection_uid: string;
  external_user_id: string;
  link_source: string;
  updated_at: string;
  last_login_at: string | null;
  provider_metadata: string;
  connection_type: string;
  provider: string;
}

/**
 * GetUser's read in one round trip: the row, its group and department uids (in membership-uids.ts's
 * orders) and its external identities (in identitiesOf's order, with their connection's type and
 * provider). Four sequential round trips (pool, user, memberships, identities) held the request's
 * account slot four times as long; the pool is read only when the user is not found, to say which
 * of the two is missing (a user's row cannot outlive its pool: ON DELETE CASCADE).
 */
const wholeUser = prepared((db: Db, accountId: string, poolUid: string, uid: string) =>
  db
    .selectFrom("users")
    .selectAll()
    .select([
      sql<string[]>`(select coalesce(json_agg(m.group_uid order by o.precedence, o.uid), '[]'::json)
          from group_members m join groups o
            on o.account_id = m.account_id and o.user_pool_uid = m.user_pool_uid and o.uid = m.group_uid
         where m.account_id = users.account_id and m.user_pool_uid = users.user_pool_uid and m.user_uid = users.uid)`.as("group_uids"),
      sql<string[]>`(select coalesce(json_agg(m.department_uid order by m.is_primary desc, o.precedence, o.uid), '[]'::json)
          from department_members m join departments o
            on o.account_id = m.account_id and o.user_pool_uid = m.user_pool_uid and o.uid = m.department_uid
         where m.account_id = users.account_id and m.user_pool_uid = users.user_pool_uid and m.user_uid = users.uid)`.as("department_uids"),
      sql<UserIdentityJson[]>`(select coalesce(json_agg(json_build_object(
            'connection_uid', l.connection_uid, 'external_user_id', l.external_user_id, 'link_source', l.link_source,
            'updated_at', l.updated_at, 'last_login_at', l.last_login_at, 'provider_metadata', l.provider_metadata,
            'connection_type', c.connection_type, 'provider', c.provider) order by l.created_at, l.connection_uid), '[]'::json)
          from external_identities l join identity_providers c
            on c.account_id = l.account_id and c.user_pool_uid = l.user_pool_uid and c.uid = l.connection_uid
         where l.account_id = users.account_id and l.user_pool_uid = users.user_pool_uid and l.user_uid = users.uid)`.as("identities_json"),
    ])
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where("uid", "=", uid),
);

/** Compiled once, bound per call: GetUser's one statement. */
export function findWholeUser(db: Db, accountId: string, poolUid: string, uid: string) {
  return wholeUser.first(db, accountId, poolUid, uid);
}

/** Locks the user's row until the transaction ends (serializes resets of one user). */
export function findUserForUpdate(trx: Transaction<Database>, accountId: string, poolUid: string, uid: string) {
  return trx
    .selectFrom("users")
    .selectAll()
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where("uid", "=", uid)
    .forUpdate()
    .executeTakeFirst();
}

export function findUserByEmail(db: Db, accountId: string, poolUid: string, email: string): Promise<UserRow | undefined> {
  return (
    db
      .selectFrom("users")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("user_pool_uid", "=", poolUid)
      .where(sql<string>`lower(email)`, "=", normalizeEmail(email))
      // Only a native user's Email names it: federated users may share theirs (sql/016).
      .where("connection_uid", "is", null)
      .executeTakeFirst()
  );
}

/** Inserts what it can (in slices: src/platform/db/slices.ts); rows that hit a unique index are skipped. Returns the uids inserted. */
export async function insertUsersSkippingConflicts(trx: Transaction<Database>, rows: NewUserRow[]): Promise<Set<string>> {
  const inserted = await inSlices(rows, (slice) =>
    trx
      .insertInto("users")
      .values(slice)
      .onConflict((oc) => oc.doNothing())
      .returning("uid")
      .execute(),
  );
  return new Set(inserted.map((r) => r.uid));
}

/** Which of the given identifiers native users of the pool already hold, and who (keys lower-cased for Email and PreferredUsername). */
export async function takenIdentifiers(
  db: Db,
  accountId: string,
  poolUid: string,
  ids: { emails: string[]; usernames: string[]; phones: string[] },
) {
  const rows = await db
    .selectFrom("users")
    .select([
      sql<string | null>`lower(email)`.as("email"),
      sql<string | null>`lower(preferred_username)`.as("username"),
      "phone_number",
      "uid",
    ])
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where("connection_uid", "is", null)
    .where((eb) =>
      eb.or([
        ...(ids.emails.length ? [eb(sql`lower(email)`, "in", ids.emails)] : []),
        ...(ids.usernames.length ? [eb(sql`lower(preferred_username)`, "in", ids.usernames)] : []),
        ...(ids.phones.length ? [eb("phone_number", "in", ids.phones)] : []),
      ]),
    )
    .execute();
  const holders = (key: (r: (typeof rows)[number]) => string | null) =>
    new Map(rows.flatMap((r) => (key(r) === null ? [] : [[key(r)!, r.uid] as const])));
  return { emails: holders((r) => r.email), usernames: holders((r) => r.username), phones: holders((r) => r.phone_number) };
}

/** The uid of the native user holding an identifier in the pool (compared as its unique index does). */
export async function uidHolding(
  db: Db,
  accountId: string,
  poolUid: string,
  field: "Email" | "PreferredUsername" | "PhoneNumber",
  value: string,
): Promise<string | undefined> {
  const taken = await takenIdentifiers(db, accountId, poolUid, {
    emails: field === "Email" ? [normalizeEmail(value)] : [],
    usernames: field === "PreferredUsername" ? [value.toLowerCase()] : [],
    phones: field === "PhoneNumber" ? [value] : [],
  });
  return field === "Email"
    ? taken.emails.get(normalizeEmail(value))
    : field === "PreferredUsername"
      ? taken.usernames.get(value.toLowerCase())
      : taken.phones.get(value);
}

export function updateUser(trx: Transaction<Database>, accountId: string, poolUid: string, uid: string, changes: Updateable<UsersTable>) {
  return trx
    .updateTable("users")
    .set(changes)
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where("uid", "=", uid)
    .returningAll()
    .executeTakeFirst();
}

/** Replaces a password hash only if it is still the one that was read (no lost concurrent change). */
export async function replacePasswordHash(
  db: Db,
  accountId: string,
  poolUid: string,
  uid: string,
  from: string,
  to: string,
): Promise<void> {
  await db
    .updateTable("users")
    .set({ password_hash: to })
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where("uid", "=", uid)
    .where("password_hash", "=", from)
    .execute();
}

export async function deleteUsers(trx: Transaction<Database>, accountId: string, poolUid: string, uids: string[]): Promise<Set<string>> {
  if (uids.length === 0) return new Set();
  const rows = await trx
    .deleteFrom("users")
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where("uid", "in", uids)
    .returning("uid")
    .execute();
  return new Set(rows.map((r) => r.uid));
}

/**
 * Revokes every outstanding password-reset token of a user; returns how many. Here, with the user's
 * rows, because both a password set on the user and a completed reset revoke them.
 */
export async function revokeOutstandingTokens(db: Db, accountId: string, poolUid: string, userUid: string, now: Date): Promise<number> {
  const r = await db
    .updateTable("password_reset_tokens")
    .set({ revoked_at: now })
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where("user_uid", "=", userUid)
    .where("used_at", "is", null)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
