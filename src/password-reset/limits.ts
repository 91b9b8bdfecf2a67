// The reset mail limits (issue 10, finding 5): at most `perUser` reset mails to one user and
// `perAddress` to one address within an account, per sliding window. Counted in reset_mail_log
// (sql/006) inside the transaction that queues the mail, under locks that serialize every reset
// which could count the same rows, so the limits are exact across instances sharing the database:
// - per user: the user's row lock that startPasswordReset already holds;
// - per address: a transaction-scoped advisory lock on (account, address), taken last, after the
//   pool and user locks, and by nothing else, so it adds no lock-order cycle.
import { sql, type Transaction } from "kysely";
import type { Config } from "../platform/config.js";
import type { Database } from "../platform/db/schema.js";
import { ApiError } from "../core/errors.js";

type Limits = Config["resetMailLimits"];

export interface ResetMailKey {
  accountId: string;
  poolUid: string;
  userUid: string;
  /** Normalised (src/core/email.ts). */
  address: string;
}

// Two-int advisory keys live apart from the migrator's one-bigint key; this first half names the use.
const ADDRESS_LOCK_CLASS = 0x1d_3e5a;

/**
 * Throws Throttling when one more reset mail would pass either limit. Reached only for a user that
 * exists and has an address, so it tells the caller nothing ResetPassword did not already say; the
 * one message for both limits names neither the address nor the other pools that used it.
 */
export async function checkResetMailLimits(trx: Transaction<Database>, limits: Limits, key: ResetMailKey, now: Date): Promise<void> {
  const since = new Date(now.getTime() - limits.windowSeconds * 1000);
  const sent = (by: "user" | "address") => {
    let q = trx
      .selectFrom("reset_mail_log")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("account_id", "=", key.accountId);
    q =
      by === "user" ? q.where("user_pool_uid", "=", key.poolUid).where("user_uid", "=", key.userUid) : q.where("address", "=", key.address);
    return q
      .where("created_at", ">", since)
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  };
  if (limits.perUser > 0 && (await sent("user")) >= limits.perUser) throw throttled(limits);
  if (limits.perAddress > 0) {
    await lockAddress(trx, key);
    if ((await sent("address")) >= limits.perAddress) throw throttled(limits);
  }
}

const throttled = (limits: Limits) =>
  new ApiError(
    "Throttling",
    `too many password reset emails for this user recently (at most ${limits.perUser || "unlimited"} per user and ` +
      `${limits.perAddress || "unlimited"} per address every ${limits.windowSeconds} s); try again later`,
  );

async function lockAddress(trx: Transaction<Database>, key: ResetMailKey): Promise<void> {
  await sql`select pg_advisory_xact_lock(${ADDRESS_LOCK_CLASS}::int4, hashtext(${`${key.accountId}:${key.address}`}::text))`.execute(trx);
}

/** Records a queued reset mail; call in the transaction that queued it, after checkResetMailLimits. */
export async function logResetMail(trx: Transaction<Database>, key: ResetMailKey, now: Date): Promise<void> {
  await trx
    .insertInto("reset_mail_log")
    .values({ account_id: key.accountId, user_pool_uid: key.poolUid, user_uid: key.userUid, address: key.address, created_at: now })
    .execute();
}
