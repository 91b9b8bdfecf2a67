// SQL for the identity_providers table. Every query is scoped by account_id first, then the pool.
import type { Insertable, Kysely, Selectable, Transaction, Updateable } from "kysely";
import type { Database } from "../db/schema.js";
import type { ConnectionType, IdentityProvidersTable } from "./tables.js";
import { containsPattern } from "../db/text-match.js";
import { countRows, type Listing } from "../core/page.js";

export type IdentityProviderRow = Selectable<IdentityProvidersTable>;
type Db = Kysely<Database> | Transaction<Database>;

export interface ConnectionKey {
  accountId: string;
  poolUid: string;
  uid: string;
}

function selectIdentityProvider(db: Db, k: ConnectionKey) {
  return db
    .selectFrom("identity_providers")
    .selectAll()
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where("uid", "=", k.uid);
}

export function findIdentityProvider(db: Db, k: ConnectionKey): Promise<IdentityProviderRow | undefined> {
  return selectIdentityProvider(db, k).executeTakeFirst();
}

/** Locks the connection for the rest of the transaction (partial updates read, merge, then write). */
export function findIdentityProviderForUpdate(trx: Transaction<Database>, k: ConnectionKey) {
  return selectIdentityProvider(trx, k).forUpdate().executeTakeFirst();
}

export function countIdentityProviders(db: Db, accountId: string, poolUid: string): Promise<number> {
  return countRows(db.selectFrom("identity_providers").where("account_id", "=", accountId).where("user_pool_uid", "=", poolUid));
}

export async function insertIdentityProvider(db: Db, row: Insertable<IdentityProvidersTable>): Promise<IdentityProviderRow> {
  return db.insertInto("identity_providers").values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateIdentityProvider(db: Db, k: ConnectionKey, changes: Updateable<IdentityProvidersTable>) {
  return db
    .updateTable("identity_providers")
    .set(changes)
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where("uid", "=", k.uid)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteIdentityProvider(db: Db, k: ConnectionKey, type?: ConnectionType): Promise<boolean> {
  let q = db
    .deleteFrom("identity_providers")
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where("uid", "=", k.uid);
  if (type !== undefined) q = q.where("connection_type", "=", type);
  const r = await q.executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** The pool's connections, newest first, optionally by name (substring) and type. */
export function identityProviderListing(
  db: Db,
  accountId: string,
  poolUid: string,
  opts: { name?: string | undefined; type?: ConnectionType | undefined },
): Listing<Database, "identity_providers", IdentityProviderRow> {
  let filtered = db.selectFrom("identity_providers").where("account_id", "=", accountId).where("user_pool_uid", "=", poolUid);
  if (opts.name !== undefined) filtered = filtered.where("name", "ilike", containsPattern(opts.name));
  if (opts.type !== undefined) filtered = filtered.where("connection_type", "=", opts.type);
  return { filtered, rows: (q) => q.selectAll().orderBy("created_at", "desc").orderBy("uid") };
}

// ---- master-key rotation (src/cli/rotate-master.ts) ----

export type SealedSecretRow = Pick<IdentityProviderRow, "account_id" | "user_pool_uid" | "uid" | "client_secret_sealed" | "client_secret_key_id">;

/**
 * Re-reads and locks up to `limit` connections after the (account_id, uid) cursor whose secret is
 * sealed under one of `keyIds`. A row a server re-sealed meanwhile is re-checked by Postgres under
 * the lock and drops out.
 */
export function lockSecretsSealedUnder(trx: Transaction<Database>, keyIds: string[], after: [string, string] | undefined, limit: number) {
  let q = trx
    .selectFrom("identity_providers")
    .select(["account_id", "user_pool_uid", "uid", "client_secret_sealed", "client_secret_key_id"])
    .where("client_secret_key_id", "in", keyIds);
  if (after) q = q.where((eb) => eb(eb.refTuple("account_id", "uid"), ">", eb.tuple(after[0], after[1])));
  return q.orderBy("account_id").orderBy("uid").limit(limit).forUpdate().execute();
}

/** Replaces the sealed secret only; UpdateTime stays, since the connection itself did not change. */
export async function storeResealedSecret(trx: Transaction<Database>, row: SealedSecretRow, sealed: { client_secret_sealed: Uint8Array; client_secret_key_id: string }) {
  await trx
    .updateTable("identity_providers")
    .set(sealed)
    .where("account_id", "=", row.account_id)
    .where("uid", "=", row.uid)
    .execute();
}

export function countSecretsNotUnder(db: Db, keyId: string): Promise<number> {
  return countRows(db.selectFrom("identity_providers").where("client_secret_key_id", "<>", keyId));
}
