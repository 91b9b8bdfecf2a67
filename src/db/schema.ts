// Kysely table types, composed into one Database type. The foundation's tables are here; each
// family keeps its own in src/<family>/tables.ts, joined into Database below.
import type { ColumnType, Generated } from "kysely";
import type { IdentityProviderTables } from "../identity-providers/tables.js";
import type { OAuthCredentialTables } from "../oauth-credentials/tables.js";
import type { UserTables } from "../users/tables.js";

/** Postgres timestamptz: read as Date, written as Date or left to its default. */
export type Timestamp = ColumnType<Date, Date | undefined, Date>;
/** bigint ids travel as decimal strings on both drivers (see connect.ts), so no precision is lost. */
export type BigintString = ColumnType<string, string | number, string | number>;

export interface AccessKeysTable {
  access_key_id: string;
  account_id: BigintString;
  role: "admin" | "readonly";
  secret_sealed: Uint8Array;
  secret_key_id: string;
  enabled: Generated<boolean>;
  description: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PasswordPolicy {
  MinLength: number;
  RequireUppercase: boolean;
  RequireLowercase: boolean;
  RequireDigits: boolean;
  RequireSymbols: boolean;
}

export interface UserPoolsTable {
  account_id: BigintString;
  uid: string;
  name: string;
  description: Generated<string>;
  enabled: Generated<boolean>;
  /** jsonb: both drivers serialize the object for the column's type themselves. */
  password_policy: PasswordPolicy;
  custom_scopes: ColumnType<string[], string[] | undefined, string[]>;
  reset_password_url: string | null;
  reset_token_ttl_seconds: Generated<number>;
  total_users: Generated<number>;
  total_clients: Generated<number>;
  total_connections: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MigrationsTable {
  name: string;
  applied_at: Timestamp;
}

export interface Database extends UserTables, OAuthCredentialTables, IdentityProviderTables {
  access_keys: AccessKeysTable;
  user_pools: UserPoolsTable;
  schema_migrations: MigrationsTable;
}
