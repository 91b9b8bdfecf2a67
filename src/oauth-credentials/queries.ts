// SQL for the oauth_credentials table. Every query a caller reaches is scoped by account_id first;
// sign-in's lookups by client id (client-auth.ts, src/user-pools/locate.ts) are apart.
import type { Insertable, Kysely, Selectable, Transaction, Updateable } from "kysely";
import type { Database } from "../platform/db/schema.js";
import type { ClientType, OAuthCredentialsTable } from "./tables.js";
import { countRows, type Listing } from "../core/page.js";
import { containsPattern } from "../platform/db/text-match.js";

export type CredentialRow = Selectable<OAuthCredentialsTable>;
type Db = Kysely<Database> | Transaction<Database>;

/**
 * How a caller names a client: the OAuthCredential face by its id, or by its client id when the id
 * is not given; the UserPoolClient face by its pool and client id (its Uid).
 */
export type CredentialRef = { credentialId: number } | { clientApiIdentifier: string; userPoolUid?: string };

function byRef(db: Db, accountId: string, ref: CredentialRef) {
  const base = db.selectFrom("oauth_credentials").selectAll().where("account_id", "=", accountId);
  if ("credentialId" in ref) return base.where("credential_id", "=", String(ref.credentialId));
  const byClientId = base.where("client_api_identifier", "=", ref.clientApiIdentifier);
  return ref.userPoolUid === undefined ? byClientId : byClientId.where("user_pool_uid", "=", ref.userPoolUid);
}

export function findCredential(db: Db, accountId: string, ref: CredentialRef): Promise<CredentialRow | undefined> {
  return byRef(db, accountId, ref).executeTakeFirst();
}

/** Locks the credential row until the transaction ends: concurrent updates and resets queue here. */
export function findCredentialForUpdate(
  trx: Transaction<Database>,
  accountId: string,
  ref: CredentialRef,
): Promise<CredentialRow | undefined> {
  return byRef(trx, accountId, ref).forUpdate().executeTakeFirst();
}

export function countCredentialsInPool(db: Db, accountId: string, userPoolUid: string): Promise<number> {
  return countRows(db.selectFrom("oauth_credentials").where("account_id", "=", accountId).where("user_pool_uid", "=", userPoolUid));
}

export async function insertCredential(db: Db, row: Insertable<OAuthCredentialsTable>): Promise<CredentialRow> {
  return db.insertInto("oauth_credentials").values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateCredential(
  db: Db,
  accountId: string,
  credentialId: string,
  changes: Updateable<OAuthCredentialsTable>,
): Promise<CredentialRow> {
  return db
    .updateTable("oauth_credentials")
    .set(changes)
    .where("account_id", "=", accountId)
    .where("credential_id", "=", credentialId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteCredential(db: Db, accountId: string, credentialId: string): Promise<boolean> {
  const r = await db
    .deleteFrom("oauth_credentials")
    .where("account_id", "=", accountId)
    .where("credential_id", "=", credentialId)
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}

export type SortColumn = "created_at" | "updated_at" | "name" | "credential_id";

export interface ListOptions {
  userPoolUid?: string | undefined;
  grantType?: string | undefined;
  /** Any of these types; an empty list filters nothing. */
  clientTypes?: readonly ClientType[] | undefined;
  /** Substrings, case-insensitively. */
  name?: string | undefined;
  description?: string | undefined;
  sort: SortColumn;
  direction: "asc" | "desc";
}

/** The columns ListUserPoolClients answers: a client's four URL lists (up to 800 KB) stay in the table. */
export const CLIENT_LIST_COLUMNS = [
  "client_api_identifier",
  "name",
  "client_type",
  "description",
  "logo_uri",
  "created_at",
  "updated_at",
  "credential_id",
] as const;
export type ClientListRow = Pick<CredentialRow, (typeof CLIENT_LIST_COLUMNS)[number]>;

/** credentialListing reading only the list item's columns. */
export function clientListing(db: Db, accountId: string, opts: ListOptions): Listing<Database, "oauth_credentials", ClientListRow> {
  const whole = credentialListing(db, accountId, opts);
  return { filtered: whole.filtered, rows: (q) => whole.rows(q).clearSelect().select(CLIENT_LIST_COLUMNS) };
}

export function credentialListing(db: Db, accountId: string, opts: ListOptions): Listing<Database, "oauth_credentials", CredentialRow> {
  let filtered = db.selectFrom("oauth_credentials").where("account_id", "=", accountId);
  if (opts.userPoolUid !== undefined) filtered = filtered.where("user_pool_uid", "=", opts.userPoolUid);
  if (opts.grantType !== undefined) filtered = filtered.where("grant_type", "=", opts.grantType as OAuthCredentialsTable["grant_type"]);
  if (opts.clientTypes?.length) filtered = filtered.where("client_type", "in", opts.clientTypes);
  if (opts.name) filtered = filtered.where("name", "ilike", containsPattern(opts.name));
  if (opts.description) filtered = filtered.where("description", "ilike", containsPattern(opts.description));
  return {
    filtered,
    rows(q) {
      const ordered = q.selectAll().orderBy(opts.sort, opts.direction);
      // The id breaks ties, so pages never overlap or skip rows that share a name or a timestamp.
      return opts.sort === "credential_id" ? ordered : ordered.orderBy("credential_id", opts.direction);
    },
  };
}
