// Who gets a custom domain when several pools want it. A PENDING domain is only a claim: any number
// of pools, of any accounts, may claim one name, and a claim blocks nobody (a squatter's claim must
// not lock out the name's owner). The claim whose CNAME verifies wins: it becomes ACTIVE (at most one
// ACTIVE row per name, sql/020_domain_claims.sql), and the other claims of that name are withdrawn,
// each with a line in its own pool's log that names no other account's pool. A claim that has not
// verified within PENDING_CLAIM_TTL_HOURS expires: housekeeping removes it (claimPurges).
import { sql, type Kysely, type Transaction } from "kysely";
import { PURGE_BATCH, type PurgeRule } from "../platform/db/declarations.js";
import type { Database } from "../platform/db/schema.js";
import type { Db } from "../platform/db/types.js";
import type { Clock } from "../deps.js";
import { recordOperation } from "./operations.js";
import type { DomainKey } from "./queries.js";

/** How long a claim may stay PENDING: three days for the owner to publish the CNAME. */
export const PENDING_CLAIM_TTL_HOURS = 72;
const TTL_MS = PENDING_CLAIM_TTL_HOURS * 3600 * 1000;

/** A claim created before `now` less the TTL is expired: never activated, removed by housekeeping. */
export const isExpired = (createdAt: Date, now: Date) => createdAt.getTime() < now.getTime() - TTL_MS;

/** True when some pool (of any account) holds `domain` ACTIVE: the one case Create refuses as Duplicated. */
export async function isActiveAnywhere(db: Db, domain: string): Promise<boolean> {
  const row = await db
    .selectFrom("user_pool_domains")
    .select("user_pool_uid")
    .where("domain", "=", domain)
    .where("status", "=", "ACTIVE")
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Withdraws every other PENDING claim of `winner.domain` (the winner has just become ACTIVE in
 * `trx`), logging it in each claimant's own pool without naming the winner.
 */
export async function withdrawOtherClaims(trx: Transaction<Database>, clock: Clock, winner: DomainKey): Promise<number> {
  const gone = await trx
    .deleteFrom("user_pool_domains")
    .where("domain", "=", winner.domain)
    .where("status", "=", "PENDING")
    .where((eb) => eb.or([eb("account_id", "<>", winner.accountId), eb("user_pool_uid", "<>", winner.poolUid)]))
    .returning(["account_id", "user_pool_uid", "domain"])
    .execute();
  for (const r of gone) {
    const k = { accountId: r.account_id, poolUid: r.user_pool_uid, domain: r.domain };
    await recordOperation(trx, clock, k, "VERIFY", {
      ok: false,
      message: `${r.domain} was verified for another pool (its CNAME points there); this claim was withdrawn`,
    });
  }
  return gone.length;
}

/** Removes up to PURGE_BATCH claims still PENDING since before `cutoff`, with a line in each pool's log. */
async function purgeExpiredClaims(db: Kysely<Database>, cutoff: Date): Promise<number> {
  // One statement: the delete and the log lines (time-ordered task ids, as operations.ts makes them).
  const now = new Date(cutoff.getTime() + TTL_MS);
  const r = await sql<{ n: string }>`
    with gone as (
      delete from user_pool_domains
      where (account_id, user_pool_uid) in (
        select account_id, user_pool_uid from user_pool_domains
        where status = 'PENDING' and created_at < ${cutoff} order by created_at limit ${PURGE_BATCH})
      returning account_id, user_pool_uid, domain),
    logged as (
      insert into user_pool_domain_operations (account_id, user_pool_uid, task_id, domain, action, status, error_message, created_at, updated_at)
      select account_id, user_pool_uid,
        lpad(to_hex(${now.getTime()}::bigint), 12, '0') || 'ffff' || substr(md5(random()::text || domain), 1, 16),
        domain, 'VERIFY', 'FAILED',
        domain || ' expired: its CNAME was not found within ${sql.raw(String(PENDING_CLAIM_TTL_HOURS))} hours; create the domain again to retry',
        ${now}, ${now}
      from gone
      returning 1)
    select count(*)::text as n from logged`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

export const claimPurges: PurgeRule[] = [{ name: "expiredDomainClaims", keepMs: TTL_MS, purge: purgeExpiredClaims }];
