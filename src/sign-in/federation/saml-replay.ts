// Replay of a SAML assertion: its ID is remembered in Postgres (saml_assertions) until the assertion
// could no longer be accepted anyway, so a second post of the same assertion is refused on every
// instance. One insert decides: a conflict on the primary key means the ID was seen.
import { createHash } from "node:crypto";
import { sql, type Kysely } from "kysely";
import { PURGE_BATCH, type PurgeRule } from "../../platform/db/declarations.js";
import type { Database } from "../../platform/db/schema.js";

/** How long an ID is kept at least and at most, whatever NotOnOrAfter says (an IdP may give hours, or none). */
export const REPLAY_KEEP_MS = { min: 10 * 60_000, max: 24 * 3600_000 } as const;

export interface AssertionKey {
  accountId: string;
  poolUid: string;
  connectionUid: string;
  assertionId: string;
}

/** True when the ID is new (and is now remembered until `until`), false when it was seen before. */
export async function rememberAssertion(db: Kysely<Database>, key: AssertionKey, now: Date, until: Date | undefined): Promise<boolean> {
  const keep = Math.min(Math.max((until?.getTime() ?? 0) - now.getTime(), REPLAY_KEEP_MS.min), REPLAY_KEEP_MS.max);
  const row = await db
    .insertInto("saml_assertions")
    .values({
      account_id: key.accountId,
      pool_uid: key.poolUid,
      connection_uid: key.connectionUid,
      assertion_id_hash: createHash("sha256").update(key.assertionId, "utf8").digest(),
      expires_at: new Date(now.getTime() + keep),
    })
    .onConflict((oc) => oc.doNothing())
    .returning("expires_at")
    .executeTakeFirst();
  return row !== undefined;
}

async function purgeExpiredAssertions(db: Kysely<Database>, cutoff: Date): Promise<number> {
  const r = await sql`
    delete from saml_assertions where (account_id, pool_uid, connection_uid, assertion_id_hash) in (
      select account_id, pool_uid, connection_uid, assertion_id_hash from saml_assertions where expires_at < ${cutoff} limit ${PURGE_BATCH})`.execute(
    db,
  );
  return Number(r.numAffectedRows ?? 0);
}

/** expires_at already holds the skew; the minute past it only keeps housekeeping off rows being decided. */
export const samlAssertionPurges: PurgeRule[] = [{ name: "expiredSamlAssertions", keepMs: 60_000, purge: purgeExpiredAssertions }];
