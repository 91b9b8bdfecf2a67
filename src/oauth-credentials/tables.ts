// Kysely table types of the OAuth credential family (sql/003_oauth_credentials.sql, and 012 for the
// fields of its UserPoolClient face); joined into the Database type in src/platform/db/schema.ts.
import type { ColumnType, Generated } from "kysely";
import type { BigintString, Timestamp } from "../platform/db/types.js";

/** WEB keeps a secret; SPA and NATIVE are public clients, without one. */
export const CLIENT_TYPES = ["WEB", "SPA", "NATIVE"] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];
export const isPublicClient = (type: ClientType): boolean => type !== "WEB";

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
  /** SHA-256 of the client secret, 32 bytes; null for a public client (sql/012). */
  secret_hash: Uint8Array | null;
  secret_version: Generated<number>;
  secret_updated_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  client_type: ColumnType<ClientType, ClientType | undefined, never>;
  allowed_logout_urls: Generated<string[]>;
  allowed_web_origins: Generated<string[]>;
  allowed_cors: Generated<string[]>;
  id_token_lifetime_seconds: Generated<number>;
  refresh_token_rotation: Generated<boolean>;
  refresh_token_has_idle_lifetime: Generated<boolean>;
  refresh_token_idle_lifetime_seconds: Generated<number>;
  refresh_token_has_combined_lifetime: Generated<boolean>;
  refresh_token_combined_lifetime_seconds: Generated<number>;
  development_mode_enabled: Generated<boolean>;
  dismiss_login_page_enabled: Generated<boolean>;
  skip_consent_enabled: Generated<boolean>;
  device_flow_enabled: Generated<boolean>;
}

export interface OAuthCredentialTables {
  oauth_credentials: OAuthCredentialsTable;
}
