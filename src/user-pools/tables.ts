// Kysely table types of the user-pool family (sql/001_foundation.sql); joined into the Database type
// in src/db/schema.ts.
import type { ColumnType, Generated } from "kysely";
import type { BigintString, Timestamp } from "../db/types.js";

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

export interface UserPoolTables {
  user_pools: UserPoolsTable;
}
