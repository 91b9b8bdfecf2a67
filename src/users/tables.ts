// Kysely table types of the users family (sql/002_users.sql): users, their password reset tokens,
// and the mail outbox; and the reset mail log (sql/006). Joined into the Database type in src/db/schema.ts.
import type { ColumnType, Generated } from "kysely";
import type { BigintString, Timestamp } from "../db/schema.js";

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
  user_state: ColumnType<UserState, UserState | undefined, UserState>;
  password_hash: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

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

export type MailStatus = "queued" | "sent" | "failed";

export interface MailOutboxTable {
  account_id: BigintString;
  id: ColumnType<string, never, never>;
  user_pool_uid: string;
  kind: string;
  recipient: string;
  subject: string;
  body_text: string | null;
  link: string | null;
  status: ColumnType<MailStatus, MailStatus | undefined, MailStatus>;
  attempts: Generated<number>;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

/** sql/006_reset_mail_log.sql: what the reset mail limits count; no foreign key on purpose. */
export interface ResetMailLogTable {
  account_id: BigintString;
  id: ColumnType<string, never, never>;
  user_pool_uid: string;
  user_uid: string;
  address: string;
  created_at: Date;
}

export interface UserTables {
  users: UsersTable;
  password_reset_tokens: PasswordResetTokensTable;
  mail_outbox: MailOutboxTable;
  reset_mail_log: ResetMailLogTable;
}
