// Deletes of rows whose job is done, in bounded batches so no purge holds locks for long.
import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema.js";

const BATCH = 1000;

/** Reset tokens used, revoked or expired before `cutoff`. Returns how many went. */
export async function purgeResetTokens(db: Kysely<Database>, cutoff: Date): Promise<number> {
  const r = await sql`
    delete from password_reset_tokens where (account_id, token_hash) in (
      select account_id, token_hash from password_reset_tokens
       where used_at < ${cutoff} or revoked_at < ${cutoff} or expires_at < ${cutoff}
       limit ${BATCH})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** Sent or failed mail created before `cutoff` (its body and link were wiped already). */
export async function purgeFinishedMail(db: Kysely<Database>, cutoff: Date): Promise<number> {
  const r = await sql`
    delete from mail_outbox where (account_id, id) in (
      select account_id, id from mail_outbox
       where status in ('sent', 'failed') and created_at < ${cutoff}
       limit ${BATCH})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** Reset mail log rows older than `cutoff`: past every window the reset mail limits may count. */
export async function purgeResetMailLog(db: Kysely<Database>, cutoff: Date): Promise<number> {
  const r = await sql`
    delete from reset_mail_log where (account_id, id) in (
      select account_id, id from reset_mail_log where created_at < ${cutoff} limit ${BATCH})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** Token buckets untouched since `cutoff`: a missing bucket is a full one, which they are by then. */
export async function purgeIdleBuckets(db: Kysely<Database>, cutoff: Date): Promise<number> {
  const r = await sql`
    delete from rate_limits where (account_id, access_key_id) in (
      select account_id, access_key_id from rate_limits where refilled_at < ${cutoff} limit ${BATCH})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
