// Kysely table types of the OAuth credential family (sql/003_oauth_credentials.sql); joined into the
// Database type in src/db/schema.ts.
import type { ColumnType, Generated } from "kysely";
import type { BigintString, Timestamp } from "../db/types.js";

export interface OAuthCredentialsTable {
  account_id: BigintString;
  /** bigint, numbered per account by a trigger (sql/007): read as a decimal string (connect.ts), never written by the application. */
  credential_id: ColumnType<string, never, never>;
  user_pool_uid: string;
  client_api_identifier: string;
  name: Generated<string>;
  description: Generated<string>;
  grant_type: "authorization_code" | "single_sign_on";
  scopes: string[];
  service_id: ColumnType<string | null, string | number | null, string | number | null>;
  logo_uri: string | null;
  redirect_uris: ColumnType<string[], string[] | undefined, string[]>;
  /** SHA-256 of the client secret, 32 bytes. */
  secret_hash: Uint8Array;
  secret_version: Generated<number>;
  secret_updated_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OAuthCredentialTables {
  oauth_credentials: OAuthCredentialsTable;
}
