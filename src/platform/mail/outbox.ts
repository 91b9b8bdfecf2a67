// SQL of the transactional outbox. A message is written in the transaction of what it is about;
// the worker claims due messages with FOR UPDATE SKIP LOCKED (several workers never take the same
// one), leases them by pushing next_attempt_at ahead, and marks each sent, retried or failed. Body
// and link (which holds a reset token) are wiped when a message is sent or given up on.
import { sql, type Kysely, type Selectable, type Transaction } from "kysely";
import type { Database } from "../db/schema.js";
import type { MailOutboxTable, MailStatus } from "./tables.js";

type Db = Kysely<Database> | Transaction<Database>;
export type OutboxRow = Selectable<MailOutboxTable>;

export interface NewMail {
  accountId: string;
  poolUid: string;
  kind: string;
  recipient: string;
  subject: string;
  bodyText: string;
  /** An HTML alternative of bodyText (the hosted pages' mails); sent as multipart/alternative. */
  bodyHtml?: string | undefined;
  link: string;
  now: Date;
}

export async function enqueueMail(trx: Transaction<Database>, m: NewMail): Promise<void> {
  await trx
    .insertInto("mail_outbox")
    .values({
      account_id: m.accountId,
      user_pool_uid: m.poolUid,
      kind: m.kind,
      recipient: m.recipient,
      subject: m.subject,
      body_text: m.bodyText,
      body_html: m.bodyHtml ?? null,
      link: m.link,
      next_attempt_at: m.now,
      created_at: m.now,
    })
    .execute();
}

/** Claims up to `limit` due messages and leases them until `leaseUntil`; each claim counts as an attempt. */
export async function claimDue(db: Kysely<Database>, now: Date, leaseUntil: Date, limit: number, accountId?: string): Promise<OutboxRow[]> {
  return db.transaction().execute(async (trx) => {
    let due = trx.selectFrom("mail_outbox").select(["account_id", "id"]).where("status", "=", "queued");
    if (accountId !== undefined) due = due.where("account_id", "=", accountId);
    const claimed = await due
      .where("next_attempt_at", "<=", now)
      .orderBy("next_attempt_at")
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (claimed.length === 0) return [];
    return trx
      .updateTable("mail_outbox")
      .set({ attempts: sql`attempts + 1`, next_attempt_at: leaseUntil })
      .where((eb) => eb.or(claimed.map((d) => eb.and([eb("account_id", "=", d.account_id), eb("id", "=", d.id)]))))
      .returningAll()
      .execute();
  });
}

const byKey = (row: Pick<OutboxRow, "account_id" | "id">) => (db: Db) =>
  db.updateTable("mail_outbox").where("account_id", "=", row.account_id).where("id", "=", row.id);

export async function markSent(db: Db, row: OutboxRow, now: Date): Promise<void> {
  await byKey(row)(db).set({ status: "sent", sent_at: now, body_text: null, body_html: null, link: null, last_error: null }).execute();
}

export async function markRetry(db: Db, row: OutboxRow, nextAttemptAt: Date, error: string): Promise<void> {
  await byKey(row)(db).set({ next_attempt_at: nextAttemptAt, last_error: error }).execute();
}

export async function markFailed(db: Db, row: OutboxRow, error: string): Promise<void> {
  await byKey(row)(db).set({ status: "failed", last_error: error, body_text: null, body_html: null, link: null }).execute();
}

export function listOutbox(db: Db, opts: { status?: MailStatus | undefined; limit: number }): Promise<OutboxRow[]> {
  let q = db.selectFrom("mail_outbox").selectAll();
  if (opts.status) q = q.where("status", "=", opts.status);
  return q.orderBy("created_at", "desc").orderBy("id", "desc").limit(opts.limit).execute();
}

/**
 * Drops what is still queued for a pool (its email service was turned off): failed, with the body
 * and link (and the token in it) gone. A message a worker has already handed to SMTP is not recalled.
 */
export async function dropQueuedMail(db: Db, accountId: string, poolUid: string, reason: string): Promise<number> {
  const r = await db
    .updateTable("mail_outbox")
    .set({ status: "failed", last_error: reason, body_text: null, body_html: null, link: null })
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where("status", "=", "queued")
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
