// SQL for the identity_providers table. Every query is scoped by account_id first, then the pool.
import { updateChild, type ChildKey } from "../user-pools/children.js";
import type { Insertable, Kysely, Selectable, SelectQueryBuilder, Transaction, Updateable } from "kysely";
import type { Database } from "../platform/db/schema.js";
import type { ConnectionType, IdentityProvidersTable } from "./tables.js";
import { containsPattern } from "../platform/db/text-match.js";
import { countRows, type Listing } from "../core/page.js";

export type IdentityProviderRow = Selectable<IdentityProvidersTable>;
type Db = Kysely<Database> | Transaction<Database>;

export type ConnectionKey = ChildKey;

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

export const updateIdentityProvider = (db: Db, k: ConnectionKey, changes: Updateable<IdentityProvidersTable>) =>
  updateChild(db, "identity_providers", k, changes);

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

export interface ConnectionFilter {
  name?: string | undefined;
  type?: ConnectionType | undefined;
  excludeType?: ConnectionType | undefined;
}

type ConnectionQuery = SelectQueryBuilder<Database, "identity_providers", object>;

/** Narrows connections by name (substring, case-insensitively) and type. */
function narrowed(q: ConnectionQuery, f: ConnectionFilter): ConnectionQuery {
  let out = q;
  if (f.name !== undefined) out = out.where("name", "ilike", containsPattern(f.name));
  if (f.type !== undefined) out = out.where("connection_type", "=", f.type);
  if (f.excludeType !== undefined) out = out.where("connection_type", "<>", f.excludeType);
  return out;
}

const newestFirst = <O>(q: SelectQueryBuilder<Database, "identity_providers", O>) => q.orderBy("created_at", "desc").orderBy("uid");

/** The pool's connections, newest first. */
export function identityProviderListing(
  db: Db,
  accountId: string,
  poolUid: string,
  f: ConnectionFilter,
): Listing<Database, "identity_providers", IdentityProviderRow> {
  const base = db.selectFrom("identity_providers").where("account_id", "=", accountId).where("user_pool_uid", "=", poolUid);
  return { filtered: narrowed(base, f), rows: (q) => newestFirst(q.selectAll()) };
}

/** What the whole-connection lists leave in the table: a SAML connection's metadata (up to 128 KiB) and what was read from it. */
export type ListedConnectionRow = Omit<IdentityProviderRow, "idp_metadata" | "saml_idp">;

/** Every column but the large ones a list leaves to the Get; `satisfies` fails when the table gains a column not named here. */
const LISTED_COLUMNS = [
  "account_id",
  "user_pool_uid",
  "uid",
  "name",
  "connection_type",
  "provider",
  "enabled",
  "use_pkce",
  "client_id",
  "client_secret_sealed",
  "client_secret_key_id",
  "authorization_endpoint",
  "token_endpoint",
  "user_endpoint",
  "scopes_list",
  "id_attribute",
  "provider_options",
  "attribute_mappings",
  "claims_propagation_config",
  "extra_provider_configuration",
  "sole_provider_connection",
  "scim_provisioning",
  "issuer",
  "is_id_token_mapping",
  "jwks_uri",
  "attribute_mapping",
  "enabled_sign",
  "enabled_encryption",
  "sp_certificate",
  "sp_private_key_sealed",
  "sp_private_key_key_id",
  "created_at",
  "updated_at",
] as const satisfies readonly (keyof ListedConnectionRow)[];
type MissingColumn = Exclude<keyof ListedConnectionRow, (typeof LISTED_COLUMNS)[number]>;
const allNamed: MissingColumn extends never ? true : MissingColumn = true;
void allNamed;

/** The pool's connections of one type, newest first, without the large columns (ListedConnectionRow). */
export function connectionsOfTypeListing(
  db: Db,
  accountId: string,
  poolUid: string,
  type: ConnectionType,
): Listing<Database, "identity_providers", ListedConnectionRow> {
  const base = db.selectFrom("identity_providers").where("account_id", "=", accountId).where("user_pool_uid", "=", poolUid);
  return { filtered: narrowed(base, { type }), rows: (q) => newestFirst(q.select(LISTED_COLUMNS)) };
}

/**
 * Every connection of the account with its pool's name, newest first (by the index
 * identity_providers__account_id_created_at); the name is a primary-key lookup per row of the page.
 */
export function accountIdentityProviderListing(db: Db, accountId: string, f: ConnectionFilter) {
  const base = db.selectFrom("identity_providers").where("account_id", "=", accountId);
  return {
    filtered: narrowed(base, f),
    rows: (q: ConnectionQuery) =>
      newestFirst(
        q
          .select(["uid", "name", "connection_type", "provider", "enabled", "created_at", "updated_at", "user_pool_uid"])
          .select((eb) =>
            eb
              .selectFrom("user_pools")
              .select("user_pools.name")
              .whereRef("user_pools.account_id", "=", "identity_providers.account_id")
              .whereRef("user_pools.uid", "=", "identity_providers.user_pool_uid")
              .as("user_pool_name"),
          ),
      ),
  } satisfies Listing<Database, "identity_providers", unknown>;
}

// ---- master-key rotation (src/cli/rotate-master.ts) ----

/** The two sealed values of a connection, each a blob column beside its key-id column. */
export const SEALED_COLUMNS = {
  clientSecret: { blob: "client_secret_sealed", keyId: "client_secret_key_id" },
  spPrivateKey: { blob: "sp_private_key_sealed", keyId: "sp_private_key_key_id" },
} as const;
type SealedColumns = (typeof SEALED_COLUMNS)[keyof typeof SEALED_COLUMNS];

export type SealedSecretRow = Pick<IdentityProviderRow, "account_id" | "user_pool_uid" | "uid"> & {
  blob: Uint8Array | null;
  keyId: string | null;
};

/**
 * Re-reads and locks up to `limit` connections after the (account_id, uid) cursor whose value in
 * `c` is sealed under one of `keyIds`. A row a server re-sealed meanwhile is re-checked by Postgres
 * under the lock and drops out.
 */
export function lockSecretsSealedUnder(
  trx: Transaction<Database>,
  c: SealedColumns,
  keyIds: string[],
  after: [string, string] | undefined,
  limit: number,
): Promise<SealedSecretRow[]> {
  let q = trx
    .selectFrom("identity_providers")
    .select(["account_id", "user_pool_uid", "uid", `${c.blob} as blob`, `${c.keyId} as keyId`])
    .where(c.keyId, "in", keyIds);
  if (after) q = q.where((eb) => eb(eb.refTuple("account_id", "uid"), ">", eb.tuple(after[0], after[1])));
  return q.orderBy("account_id").orderBy("uid").limit(limit).forUpdate().execute() as Promise<SealedSecretRow[]>;
}

/** Replaces the sealed value only; UpdateTime stays, since the connection itself did not change. */
export async function storeResealedSecret(
  trx: Transaction<Database>,
  c: SealedColumns,
  row: SealedSecretRow,
  sealed: { blob: Uint8Array; keyId: string },
) {
  await trx
    .updateTable("identity_providers")
    .set({ [c.blob]: sealed.blob, [c.keyId]: sealed.keyId })
    .where("account_id", "=", row.account_id)
    .where("uid", "=", row.uid)
    .execute();
}

export function countSecretsNotUnder(db: Db, c: SealedColumns, keyId: string): Promise<number> {
  return countRows(db.selectFrom("identity_providers").where(c.keyId, "<>", keyId));
}
