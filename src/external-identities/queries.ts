// SQL for external_identities. Every query is scoped by account_id and user_pool_uid first, so each
// is served by one of the table's keys (sql/016_external_identities.sql).
import type { Insertable, Transaction } from "kysely";
import type { Database } from "../platform/db/schema.js";
import { inSlices } from "../platform/db/slices.js";
import type { Db } from "../platform/db/types.js";
import type { ExternalIdentitiesTable } from "./tables.js";

export type NewLinkRow = Insertable<ExternalIdentitiesTable>;

export interface LinkKey {
  accountId: string;
  poolUid: string;
  connectionUid: string;
  externalUserId: string;
}

/**
 * Whether the user exists, for a link's NotFound. Read here rather than through users/queries.ts:
 * the users family imports this one (a user's identities), so this one reads the users table itself.
 */
export async function userExists(db: Db, accountId: string, poolUid: string, uid: string): Promise<boolean> {
  const row = await db
    .selectFrom("users")
    .select("uid")
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where("uid", "=", uid)
    .executeTakeFirst();
  return row !== undefined;
}

/** The connection of the pool, whatever its type, or undefined. */
export function findConnection(db: Db, accountId: string, poolUid: string, uid: string) {
  return db
    .selectFrom("identity_providers")
    .select(["uid", "connection_type", "provider", "enabled"])
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where("uid", "=", uid)
    .executeTakeFirst();
}

/** Inserts one link; a unique violation (identity taken, or the user already has one of the connection) propagates. */
export async function insertLink(trx: Transaction<Database>, row: NewLinkRow): Promise<void> {
  await trx.insertInto("external_identities").values(row).execute();
}

/** Inserts what it can (in slices: src/platform/db/slices.ts); links that hit a unique key are skipped. Returns the user uids linked. */
export async function insertLinksSkippingConflicts(trx: Transaction<Database>, rows: NewLinkRow[]): Promise<Set<string>> {
  const inserted = await inSlices(rows, (slice) =>
    trx
      .insertInto("external_identities")
      .values(slice)
      .onConflict((oc) => oc.doNothing())
      .returning("user_uid")
      .execute(),
  );
  return new Set(inserted.map((r) => r.user_uid));
}

/** Deletes the link of that identity to that user; false when there is none. */
export async function deleteLink(trx: Transaction<Database>, k: LinkKey, userUid: string): Promise<boolean> {
  const r = await trx
    .deleteFrom("external_identities")
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where("external_user_id", "=", k.externalUserId)
    .where("connection_uid", "=", k.connectionUid)
    .where("user_uid", "=", userUid)
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** Which user holds each of these identities of a connection. */
export async function holdersOf(
  db: Db,
  accountId: string,
  poolUid: string,
  connectionUid: string,
  externalUserIds: string[],
): Promise<Map<string, string>> {
  if (externalUserIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("external_identities")
    .select(["external_user_id", "user_uid"])
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where("external_user_id", "in", externalUserIds)
    .where("connection_uid", "=", connectionUid)
    .execute();
  return new Map(rows.map((r) => [r.external_user_id, r.user_uid]));
}

/** The identities of these users with their connection's type and provider, oldest link first. */
export function identitiesOf(db: Db, accountId: string, poolUid: string, userUids: string[]) {
  return db
    .selectFrom("external_identities as l")
    .innerJoin("identity_providers as c", (j) =>
      j.onRef("c.account_id", "=", "l.account_id").onRef("c.user_pool_uid", "=", "l.user_pool_uid").onRef("c.uid", "=", "l.connection_uid"),
    )
    .select(["l.user_uid", "l.connection_uid", "l.external_user_id", "l.link_source", "l.updated_at", "c.connection_type", "c.provider"])
    .where("l.account_id", "=", accountId)
    .where("l.user_pool_uid", "=", poolUid)
    .where("l.user_uid", "in", userUids.length ? userUids : [""])
    .orderBy("l.created_at")
    .orderBy("l.connection_uid")
    .execute();
}

export type IdentityRow = Awaited<ReturnType<typeof identitiesOf>>[number];
