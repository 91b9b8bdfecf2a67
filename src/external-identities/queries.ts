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
    .select([
      "l.user_uid",
      "l.connection_uid",
      "l.external_user_id",
      "l.link_source",
      "l.updated_at",
      "l.last_login_at",
      "l.provider_metadata",
      "c.connection_type",
      "c.provider",
    ])
    .where("l.account_id", "=", accountId)
    .where("l.user_pool_uid", "=", poolUid)
    .where("l.user_uid", "in", userUids.length ? userUids : [""])
    .orderBy("l.created_at")
    .orderBy("l.connection_uid")
    .execute();
}

export type IdentityRow = Awaited<ReturnType<typeof identitiesOf>>[number];

// ---- federated sign-in (src/sign-in/federation/users.ts) ----

/** Whether DisableIdentityProviderForUser took this identity off its user (and no one linked it again). */
export async function isIdentityDisabled(db: Db, k: LinkKey): Promise<boolean> {
  const row = await db
    .selectFrom("disabled_external_identities")
    .select("user_uid")
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where("connection_uid", "=", k.connectionUid)
    .where("external_user_id", "=", k.externalUserId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Marks an unlinked identity (DisableIdentityProviderForUser), so a sign-in does not link it again. */
export async function markIdentityDisabled(trx: Transaction<Database>, k: LinkKey, userUid: string, at: Date): Promise<void> {
  await trx
    .insertInto("disabled_external_identities")
    .values({
      account_id: k.accountId,
      user_pool_uid: k.poolUid,
      connection_uid: k.connectionUid,
      external_user_id: k.externalUserId,
      user_uid: userUid,
      disabled_at: at,
    })
    .onConflict((oc) =>
      oc.columns(["account_id", "user_pool_uid", "connection_uid", "external_user_id"]).doUpdateSet({ user_uid: userUid, disabled_at: at }),
    )
    .execute();
}

/** An administrator linked the identity again: it may sign in. */
export async function clearIdentityDisabled(trx: Transaction<Database>, k: LinkKey): Promise<void> {
  await trx
    .deleteFrom("disabled_external_identities")
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where("connection_uid", "=", k.connectionUid)
    .where("external_user_id", "=", k.externalUserId)
    .execute();
}

/** What a sign-in learned of a linked identity: when, the provider's profile, and the claims let through. */
export async function recordIdentityLogin(
  db: Db,
  k: LinkKey,
  seen: { at: Date; metadata: string; propagatedClaims: Record<string, unknown> },
): Promise<boolean> {
  const r = await db
    .updateTable("external_identities")
    .set({ last_login_at: seen.at, provider_metadata: seen.metadata, propagated_claims: seen.propagatedClaims, updated_at: seen.at })
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where("external_user_id", "=", k.externalUserId)
    .where("connection_uid", "=", k.connectionUid)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** The claims the user's most recent federated sign-in let through (ClaimsPropagationConfig); {} when none. */
export async function latestPropagatedClaims(
  db: Db,
  accountId: string,
  poolUid: string,
  userUid: string,
): Promise<Record<string, unknown>> {
  const row = await db
    .selectFrom("external_identities")
    .select("propagated_claims")
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where("user_uid", "=", userUid)
    .where("last_login_at", "is not", null)
    .orderBy("last_login_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.propagated_claims ?? {};
}
