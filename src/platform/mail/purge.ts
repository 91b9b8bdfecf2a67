// What housekeeping may delete of the mail outbox (src/platform/db/declarations.ts): sent or failed mail 30
// days after it was queued. Queued mail is never deleted.
import { sql, type Kysely } from "kysely";
import { DAY_MS, PURGE_BATCH, type PurgeRule } from "../db/declarations.js";
import type { Database } from "../db/schema.js";

/** Sent or failed mail created before `cutoff` (its body and link were wiped already). */
export async function purgeFinishedMail(db: Kysely<Database>, cutoff: Date): Promise<number> {
  const r = await sql`
    delete from mail_outbox where (account_id, id) in (
      select account_id, id from mail_outbox
       where status in ('sent', 'failed') and created_at < ${cutoff}
       limit ${PURGE_BATCH})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

export const mailPurges: PurgeRule[] = [{ name: "finishedMail", keepMs: 30 * DAY_MS, purge: purgeFinishedMail }];
