// Queues a self-service mail in the outbox (src/platform/mail/), in a transaction that holds the
// pool's email switch (UpsertEmailService) until commit, as password reset does: a pool whose email
// was turned off sends nothing. The outbox worker delivers it with retries (nothing lost while SMTP
// is down); the code or link in it is wiped from the row once sent.
import { emailEnabledLocked } from "../../delivery-settings/service.js";
import { enqueueMail } from "../../platform/mail/outbox.js";
import type { Kysely } from "kysely";
import type { Database } from "../../platform/db/schema.js";
import type { MailContent } from "./mail.js";

export async function queueMail(
  db: Kysely<Database>,
  pool: { accountId: string; poolUid: string },
  kind: string,
  recipient: string,
  content: MailContent,
  now: Date,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (!(await emailEnabledLocked(trx, pool.accountId, pool.poolUid))) return false;
    await enqueueMail(trx, { ...pool, kind, recipient, ...content, link: "", now });
    return true;
  });
}
