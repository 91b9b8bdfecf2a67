// Kysely table types of the mail outbox (sql/002_users.sql); joined into the Database type in
// src/platform/db/schema.ts.
import type { ColumnType, Generated } from "kysely";
import type { BigintString } from "../db/types.js";

export type MailStatus = "queued" | "sent" | "failed";

export interface MailOutboxTable {
  account_id: BigintString;
  id: ColumnType<string, never, never>;
  user_pool_uid: string;
  kind: string;
  recipient: string;
  subject: string;
  body_text: string | null;
  /** The HTML alternative (sql/080), or null for a plain-text mail. */
  body_html: ColumnType<string | null, string | null | undefined, string | null>;
  link: string | null;
  status: ColumnType<MailStatus, MailStatus | undefined, MailStatus>;
  attempts: Generated<number>;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

export interface MailTables {
  mail_outbox: MailOutboxTable;
}
