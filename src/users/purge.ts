// What housekeeping may delete of the sign-in throttle (src/platform/db/declarations.ts): counters idle
// for longer than the counting window, which a new failure would start over anyway (sign-in-throttle.ts).
import { sql, type Kysely } from "kysely";
import { PURGE_BATCH, type PurgeRule } from "../platform/db/declarations.js";
import type { Database } from "../platform/db/schema.js";
import { THROTTLE } from "./sign-in-throttle.js";

export async function purgeIdleThrottles(db: Kysely<Database>, cutoff: Date): Promise<number> {
  const r = await sql`
    delete from sign_in_throttle where (account_id, user_pool_uid, scope, key) in (
      select account_id, user_pool_uid, scope, key from sign_in_throttle where last_failure_at < ${cutoff} limit ${PURGE_BATCH})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

export const signInThrottlePurges: PurgeRule[] = [{ name: "idleSignInThrottles", keepMs: THROTTLE.windowSeconds * 1000, purge: purgeIdleThrottles }];
