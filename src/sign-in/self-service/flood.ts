// Flood limits of the self-service flows (OWASP Forgot Password and Authentication cheat sheets:
// limit what one source and one target can trigger). Fixed-window counters in Postgres (sql/080),
// one upsert per request that counts and answers at once, so the limits hold across instances.
//
// - mails to one address: every code, notice and reset link the hosted pages send to it;
// - requests from one client address (an IPv4 address or an IPv6 /64): sign-ups, and requests that
//   may send a mail (codes, resends, recovery), whatever address they name.
// A request over a limit is refused with the same page whether or not the address is registered.
import { createHash } from "node:crypto";
import { sql } from "kysely";
import { PURGE_BATCH } from "../../platform/db/declarations.js";
import type { Db } from "../../platform/db/types.js";
import { addressBucket } from "../../users/sign-in-throttle.js";

export const FLOOD = {
  windowSeconds: 3600,
  /** Mails the hosted pages send to one e-mail address per window. */
  mailsPerAddress: 5,
  /** Requests that may send a mail, from one client address per window. */
  sendsPerClient: 20,
  /** Sign-ups from one client address per window (each costs a password hash and a user). */
  signUpsPerClient: 10,
} as const;

export type FloodScope = "mail_to" | "client_send" | "client_sign_up";

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/** The key of an e-mail address (lower case) or of a client address (its bucket). */
export const floodKey = {
  address: (email: string) => digest(`email:${email.trim().toLowerCase()}`),
  client: (address: string) => digest(`client:${addressBucket(address)}`),
};

/**
 * Counts one more in (scope, key) and says whether it is within `limit` for the current window.
 * A window older than FLOOD.windowSeconds starts over at 1.
 */
export async function withinFlood(
  db: Db,
  pool: { accountId: string; poolUid: string },
  scope: FloodScope,
  key: Buffer,
  limit: number,
  now: Date,
): Promise<boolean> {
  const windowStart = new Date(now.getTime() - FLOOD.windowSeconds * 1000);
  const r = await sql<{ count: number }>`
    insert into sign_in_flood as f (account_id, user_pool_uid, scope, key, window_start, count)
    values (${pool.accountId}, ${pool.poolUid}, ${scope}, ${key}, ${now}, 1)
    on conflict (account_id, user_pool_uid, scope, key) do update set
      count = case when f.window_start <= ${windowStart} then 1 else f.count + 1 end,
      window_start = case when f.window_start <= ${windowStart} then excluded.window_start else f.window_start end
    returning count`.execute(db);
  return Number(r.rows[0]!.count) <= limit;
}

export async function purgeFlood(db: Db, cutoff: Date): Promise<number> {
  const r = await sql`
    delete from sign_in_flood where (account_id, user_pool_uid, scope, key) in (
      select account_id, user_pool_uid, scope, key from sign_in_flood where window_start < ${cutoff} limit ${PURGE_BATCH})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
