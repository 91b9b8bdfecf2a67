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
