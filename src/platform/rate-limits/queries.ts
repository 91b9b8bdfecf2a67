// SQL for the shared token buckets and the used-signature ledger (sql/005_rate_limits.sql). Each
// statement is a single atomic round trip, so several instances on one Postgres never double-spend.
// Times come from the database's now(), not each instance's clock, so instances agree on refills.
import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema.js";

/** The tables of this folder, joined onto Database locally with withTables(). */
// A type alias, not an interface: withTables() needs an index-signature-compatible record.
export type RateLimitTables = {
  rate_limits: {
    account_id: string;
    access_key_id: string;
    tokens: number;
    granted: number;
    refilled_at: Date;
  };
  seen_signatures: {
    account_id: string;
    signature: string;
    expires_at: Date;
  };
};

export interface Lease {
  /** Tokens handed to the caller, 0..want. */
  granted: number;
  /** Tokens left in the shared bucket after this lease. */
  left: number;
}

/**
 * Takes up to `want` whole tokens from the key's bucket after refilling it for the time since the
 * last lease (rate per second, capped at burst), or none when fewer than `min` (default 1) are there:
 * min = want makes it all or nothing. A new key starts with a full bucket. The row lock of the
 * upsert serializes concurrent leases of one key across instances.
 */
export async function leaseTokens(
  db: Kysely<Database>,
  key: { accountId: string; accessKeyId: string },
  bucket: { ratePerSecond: number; burst: number; want: number; min?: number },
): Promise<Lease> {
  const rate = sql`${bucket.ratePerSecond}::float8`;
  const burst = sql`${bucket.burst}::float8`;
  const want = sql`${bucket.want}::int`;
  const min = sql`${bucket.min ?? 1}::int`;
  const available = sql`least(${burst}, b.tokens + greatest(0, extract(epoch from now() - b.refilled_at)::float8) * ${rate})`;
  const grant = sql`(case when floor(${available}) >= ${min} then least(${want}, floor(${available})) else 0 end)::int`;
  const first = sql`(case when ${burst} >= ${min} then least(${want}, ${burst}) else 0 end)`;
  const { rows } = await sql<{ granted: number; tokens: number }>`
    insert into rate_limits as b (account_id, access_key_id, tokens, granted, refilled_at)
    values (${key.accountId}, ${key.accessKeyId}, ${burst} - ${first}, ${first}::int, now())
    on conflict (account_id, access_key_id) do update
      set granted = ${grant}, tokens = ${available} - ${grant}, refilled_at = now()
    returning granted, tokens`.execute(db);
  const row = rows[0]!;
  return { granted: Number(row.granted), left: Number(row.tokens) };
}

/** Records a signature; false when it was already recorded (a replay). */
export async function rememberSignature(
  db: Kysely<Database>,
  entry: { accountId: string; signature: string; expiresAt: Date },
): Promise<boolean> {
  const result = await db
    .withTables<RateLimitTables>()
    .insertInto("seen_signatures")
    .values({ account_id: entry.accountId, signature: entry.signature, expires_at: entry.expiresAt })
    .onConflict((oc) => oc.columns(["account_id", "signature"]).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/** Deletes signatures whose window has closed; returns how many. */
export async function pruneSignatures(db: Kysely<Database>, before: Date): Promise<number> {
  const result = await db.withTables<RateLimitTables>().deleteFrom("seen_signatures").where("expires_at", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
