// SQL for the users table. Every query is scoped by account_id and user_pool_uid first, so each
// one is served by an index that leads with them.
import { sql, type Insertable, type Kysely, type Selectable, type Transaction, type Updateable } from "kysely";
import type { Database } from "../db/schema.js";
import { normalizeEmail } from "../core/email.js";
import type { UsersTable, UserState } from "./tables.js";
import type { Listing } from "../core/page.js";

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
type Db = Kysely<Database> | Transaction<Database>;

export function findUser(db: Db, accountId: string, poolUid: string, uid: string): Promise<UserRow | undefined> {
  return db.selectFrom("users").selectAll().where("account_id", "=", accountId).where("user_pool_uid", "=", poolUid).where("uid", "=", uid).executeTakeFirst();
}

/** Locks the user's row until the transaction ends (serializes resets of one user). */
export function findUserForUpdate(trx: Transaction<Database>, accountId: string, poolUid: string, uid: string) {
  return trx.selectFrom("users").selectAll().where("account_id", "=", accountId).where("user_pool_uid", "=", poolUid).where("uid", "=", uid).forUpdate().executeTakeFirst();
}

export function findUserByEmail(db: Db, accountId: string, poolUid: string, email: string): Promise<UserRow | undefined> {
  return db
    .selectFrom("users")
    .selectAll()
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where(sql<string>`lower(email)`, "=", normalizeEmail(email))
    .executeTakeFirst();
}

/** Inserts what it can; rows that hit a unique index are skipped. Returns the uids inserted. */
export async function insertUsersSkippingConflicts(trx: Transaction<Database>, rows: NewUserRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await trx.insertInto("users").values(rows).onConflict((oc) => oc.doNothing()).returning("uid").execute();
  return new Set(inserted.map((r) => r.uid));
}

/** Which of the given identifiers are already taken in the pool (lower-cased for Email and PreferredUsername). */
export async function takenIdentifiers(db: Db, accountId: string, poolUid: string, ids: { emails: string[]; usernames: string[]; phones: string[] }) {
  const rows = await db
    .selectFrom("users")
    .select([sql<string | null>`lower(email)`.as("email"), sql<string | null>`lower(preferred_username)`.as("username"), "phone_number"])
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where((eb) =>
      eb.or([
        ...(ids.emails.length ? [eb(sql`lower(email)`, "in", ids.emails)] : []),
        ...(ids.usernames.length ? [eb(sql`lower(preferred_username)`, "in", ids.usernames)] : []),
        ...(ids.phones.length ? [eb("phone_number", "in", ids.phones)] : []),
      ]),
    )
    .execute();
  return {
    emails: new Set(rows.map((r) => r.email).filter((v): v is string => v !== null)),
    usernames: new Set(rows.map((r) => r.username).filter((v): v is string => v !== null)),
    phones: new Set(rows.map((r) => r.phone_number).filter((v): v is string => v !== null)),
  };
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
export async function replacePasswordHash(db: Db, accountId: string, poolUid: string, uid: string, from: string, to: string): Promise<void> {
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
  const rows = await trx.deleteFrom("users").where("account_id", "=", accountId).where("user_pool_uid", "=", poolUid).where("uid", "in", uids).returning("uid").execute();
  return new Set(rows.map((r) => r.uid));
}

export interface UserFilter {
  email?: string | undefined;
  preferredUsername?: string | undefined;
  phoneNumber?: string | undefined;
  userState?: UserState | undefined;
}

export const hasFilter = (f: UserFilter) => Object.values(f).some((v) => v !== undefined);

function filtered(db: Db, accountId: string, poolUid: string, f: UserFilter) {
  let q = db.selectFrom("users").where("account_id", "=", accountId).where("user_pool_uid", "=", poolUid);
  // Exact matches, case-insensitive where uniqueness is: each is served by its unique index.
  if (f.email !== undefined) q = q.where(sql<string>`lower(email)`, "=", normalizeEmail(f.email));
  if (f.preferredUsername !== undefined) q = q.where(sql<string>`lower(preferred_username)`, "=", f.preferredUsername.toLowerCase());
  if (f.phoneNumber !== undefined) q = q.where("phone_number", "=", f.phoneNumber);
  if (f.userState !== undefined) q = q.where("user_state", "=", f.userState);
  return q;
}

/** Newest first. `beforeSeq` continues a keyset cursor (the count still covers the whole filter). */
export function userListing(db: Db, accountId: string, poolUid: string, f: UserFilter, beforeSeq?: string): Listing<Database, "users", UserRow> {
  return {
    filtered: filtered(db, accountId, poolUid, f),
    rows: (q) => (beforeSeq === undefined ? q : q.where("seq", "<", beforeSeq)).selectAll().orderBy("seq", "desc"),
  };
}
