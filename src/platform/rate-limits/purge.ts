// What housekeeping may delete of the rate limits (src/platform/db/declarations.ts): buckets untouched for a
// day, which are full by then (a missing bucket is a full one).
import { sql, type Kysely } from "kysely";
import { DAY_MS, PURGE_BATCH, type PurgeRule } from "../db/declarations.js";
import type { Database } from "../db/schema.js";

/** Token buckets untouched since `cutoff`: a missing bucket is a full one, which they are by then. */
export async function purgeIdleBuckets(db: Kysely<Database>, cutoff: Date): Promise<number> {
  const r = await sql`
    delete from rate_limits where (account_id, access_key_id) in (
      select account_id, access_key_id from rate_limits where refilled_at < ${cutoff} limit ${PURGE_BATCH})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

export const rateLimitPurges: PurgeRule[] = [{ name: "idleBuckets", keepMs: DAY_MS, purge: purgeIdleBuckets }];
