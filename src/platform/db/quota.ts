// Quotas that hold under concurrent creates: the creating transaction takes a transaction-scoped
// advisory lock on the quota's scope, then counts, then inserts; a second creator waits for the first
// to commit and counts again, so the limit is never overshot.
import { sql, type Transaction } from "kysely";
import { errors } from "../../core/errors.js";
import type { Database } from "./schema.js";

export async function lockScope(trx: Transaction<Database>, scope: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${scope}, 0))`.execute(trx);
}

export async function enforceQuota(
  trx: Transaction<Database>,
  quota: { name: string; scope: string; limit: number; count: () => Promise<number>; adding?: number },
): Promise<void> {
  await lockScope(trx, `quota:${quota.name}:${quota.scope}`);
  const current = await quota.count();
  if (current + (quota.adding ?? 1) > quota.limit) throw errors.quotaExceeded(quota.name);
}
