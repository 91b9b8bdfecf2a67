// Fresh planner statistics after bulk writes. A pool filled by one import is, to statistics gathered
// before it, a pool of no rows: the planner then takes any index that starts with the pool (a
// primary-key lookup of one user became a filtered scan of the whole pool) and nested loops over it,
// so 10,000 foreign-key checks of the new users' identity links, or one duplicate filter, cost a
// minute (issue 22). Autovacuum catches up within a minute or so where it runs at all (the test
// server here has it off); these functions do not wait for it.
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "./schema.js";
import type { Logger } from "../log.js";

export type AnalyzedTable = "users" | "external_identities";

/** Tables with a refresh running in this process, and those written to again meanwhile. */
const running = new Set<AnalyzedTable>();
const again = new Set<AnalyzedTable>();

/**
 * After a bulk write has committed: ANALYZE the tables in the background (the request does not wait),
 * one at a time per table and process, once more if written again meanwhile. Resolves when done
 * (tests wait for it; callers do not). Failures are logged, never thrown: statistics are an aid.
 */
export function refreshStatistics(db: Kysely<Database>, log: Pick<Logger, "warn">, tables: AnalyzedTable[]): Promise<void> {
  return Promise.all(
    tables.map(async (table) => {
      if (running.has(table)) return void again.add(table);
      running.add(table);
      try {
        do {
          again.delete(table);
          // Its own bound: a large table takes longer than a request's statements may (ID_STATEMENT_TIMEOUT_MS).
          await db.transaction().execute(async (trx) => {
            await sql`set local statement_timeout = '5min'`.execute(trx);
            await sql`analyze ${sql.table(table)}`.execute(trx);
          });
        } while (again.has(table));
      } catch (err) {
        log.warn({ table, err: { message: (err as Error).message } }, "refreshing statistics after a bulk write failed");
      } finally {
        running.delete(table);
      }
    }),
  ).then(() => undefined);
}

/**
 * Inside a bulk write's transaction, before statements that look up the rows it just inserted (the
 * foreign-key checks of identity links): ANALYZE sees the transaction's own rows. SKIP_LOCKED: when
 * another ANALYZE of the table runs, this one is skipped rather than queued behind it. It may take
 * longer than a request's statements may on a large table, so it runs under a bound of its own and
 * the transaction's bound, whatever set it (connect.ts, the dialect, or none), is put back after it.
 */
export async function analyzeWithin(trx: Transaction<Database>, table: AnalyzedTable): Promise<void> {
  const { was } = (await sql<{ was: string }>`select current_setting('statement_timeout') as was`.execute(trx)).rows[0]!;
  await sql`select set_config('statement_timeout', '1min', true)`.execute(trx);
  await sql`analyze (skip_locked) ${sql.table(table)}`.execute(trx);
  await sql`select set_config('statement_timeout', ${was}, true)`.execute(trx);
}
