// Kysely table types of the password-reset family (sql/002_users.sql, sql/007_reset_mail_log.sql); joined into the Database type
// in src/platform/db/schema.ts.
import type { ColumnType } from "kysely";
import type { BigintString } from "../platform/db/types.js";

export interface PasswordResetTokensTable {
  account_id: BigintString;
  user_pool_uid: string;
  user_uid: string;
  token_hash: Uint8Array;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
}

/** sql/007_reset_mail_log.sql: what the reset mail limits count; no foreign key on purpose. */
export interface ResetMailLogTable {
  account_id: BigintString;
  id: ColumnType<string, never, never>;
  user_pool_uid: string;
  user_uid: string;
  address: string;
  created_at: Date;
}

export interface PasswordResetTables {
  password_reset_tokens: PasswordResetTokensTable;
  reset_mail_log: ResetMailLogTable;
}
