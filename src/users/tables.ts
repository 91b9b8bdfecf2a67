// Kysely table types of the users family (sql/002_users.sql, sql/010_users_upstream.sql, sql/016_external_identities.sql, 026, 027); joined into the Database type in
// src/platform/db/schema.ts.
import type { ColumnType, Generated } from "kysely";
import type { BigintString, Timestamp } from "../platform/db/types.js";

export type UserState = "ACTIVE" | "DISABLED";

export interface UsersTable {
  account_id: BigintString;
  user_pool_uid: string;
  uid: string;
  /** Identity column: read as a decimal string (int8), never written. */
  seq: ColumnType<string, never, never>;
  preferred_username: string | null;
  email: string | null;
  email_verified: Generated<boolean>;
  phone_number: string | null;
  phone_number_verified: Generated<boolean>;
  name: Generated<string>;
  given_name: Generated<string>;
  family_name: Generated<string>;
  middle_name: Generated<string>;
  nickname: Generated<string>;
  user_metadata: Generated<string>;
  picture: Generated<string>;
  profile: Generated<string>;
  website: Generated<string>;
  gender: Generated<string>;
  birthdate: Generated<string>;
  zoneinfo: Generated<string>;
  locale: Generated<string>;
  /** Custom attribute values by name (sql/007); validated against the pool's definitions. */
  custom_attributes: ColumnType<Record<string, string>, Record<string, string> | undefined, Record<string, string>>;
  user_state: ColumnType<UserState, UserState | undefined, UserState>;
  password_hash: string | null;
  /** The connection a federated user was created through (sql/016); null for a native user. */
  connection_uid: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Upstream's sign-in fields (sql/027), written by recordSignIn (sign-in.ts). */
  num_logins: Generated<number>;
  latest_login_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  latest_login_method: Generated<string>;
  latest_browser: Generated<string>;
  latest_login_connection_name: Generated<string>;
  latest_login_connection_provider: Generated<string>;
  latest_login_connection_type: Generated<string>;
}

/** Failed password sign-ins per pool and key (sql/026; sign-in-throttle.ts). */
export interface SignInThrottleTable {
  account_id: BigintString;
  user_pool_uid: string;
  scope: "user" | "address";
  key: Uint8Array;
  failures: number;
  last_failure_at: Date;
  blocked_until: Date;
}

export interface UserTables {
  users: UsersTable;
  sign_in_throttle: SignInThrottleTable;
}
