// Kysely table types of the user-pool family (sql/001_foundation.sql); joined into the Database type
// in src/platform/db/schema.ts.
import type { ColumnType, Generated } from "kysely";
import type { BigintString, Timestamp } from "../platform/db/types.js";

export interface PasswordPolicy {
  MinLength: number;
  RequireUppercase: boolean;
  RequireLowercase: boolean;
  RequireDigits: boolean;
  RequireSymbols: boolean;
}

export interface Tag {
  Key: string;
  Value: string;
}

export interface Brand {
  Name: string;
  LogoUri: string;
}

type TextArray = ColumnType<string[], string[] | undefined, string[]>;

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
  project_name: Generated<string>;
  /** jsonb, in the caller's order (sql/009_user_pools_upstream.sql). */
  tags: ColumnType<Tag[], Tag[] | undefined, Tag[]>;
  brand: ColumnType<Brand, Brand | undefined, Brand>;
  authentication_method_order: TextArray;
  required_sign_up_attributes: TextArray;
  sign_in_attributes: TextArray;
  self_account_recovery_verification_attributes: TextArray;
  password_sign_in_enabled: Generated<boolean>;
  email_passwordless_sign_in_enabled: Generated<boolean>;
  sms_passwordless_sign_in_enabled: Generated<boolean>;
  self_sign_up_enabled: Generated<boolean>;
  sign_up_auto_verification_enabled: Generated<boolean>;
  email_anonymous_sign_up_enabled: Generated<boolean>;
  sms_anonymous_sign_up_enabled: Generated<boolean>;
  unconfirmed_user_sign_in_enabled: Generated<boolean>;
  self_account_recovery_enabled: Generated<boolean>;
  total_users: Generated<number>;
  total_clients: Generated<number>;
  total_connections: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UserPoolTables {
  user_pools: UserPoolsTable;
}
