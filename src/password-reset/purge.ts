// What housekeeping may delete of the password-reset family (src/platform/db/declarations.ts): reset tokens a
// week after they were used, revoked or expired (kept for support questions), and the reset mail log
// after a day, the longest window the reset mail limits may count.
import { sql, type Kysely } from "kysely";
import { DAY_MS, PURGE_BATCH, type PurgeRule } from "../platform/db/declarations.js";
import type { Database } from "../platform/db/schema.js";

/** Reset tokens used, revoked or expired before `cutoff`. Returns how many went. */
export async function purgeResetTokens(db: Kysely<Database>, cutoff: Date): Promise<number> {
  const r = await sql`
    delete from password_reset_tokens where (account_id, token_hash) in (
      select account_id, token_hash from password_reset_tokens
       where used_at < ${cutoff} or revoked_at < ${cutoff} or expires_at < ${cutoff}
       limit ${PURGE_BATCH})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** Reset mail log rows older than `cutoff`: past every window the reset mail limits may count. */
export async function purgeResetMailLog(db: Kysely<Database>, cutoff: Date): Promise<number> {
  const r = await sql`
    delete from reset_mail_log where (account_id, id) in (
      select account_id, id from reset_mail_log where created_at < ${cutoff} limit ${PURGE_BATCH})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

export const passwordResetPurges: PurgeRule[] = [
  { name: "resetTokens", keepMs: 7 * DAY_MS, purge: purgeResetTokens },
  { name: "resetMailLog", keepMs: DAY_MS, purge: purgeResetMailLog },
];
