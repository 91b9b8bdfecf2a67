// Kysely table types of identity linking (sql/016_external_identities.sql); joined into the Database
// type in src/platform/db/schema.ts.
import type { BigintString, Timestamp } from "../platform/db/types.js";

/** How a link was made: with the user (CreateUser, CreateUsers) or afterwards (LinkIdentityProviderToUser). */
export type LinkSource = "CREATE" | "LINK";

export interface ExternalIdentitiesTable {
  account_id: BigintString;
  user_pool_uid: string;
  connection_uid: string;
  external_user_id: string;
  user_uid: string;
  link_source: LinkSource;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ExternalIdentityTables {
  external_identities: ExternalIdentitiesTable;
}
