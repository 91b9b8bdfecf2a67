// What a family declares about its tables for the cross-family jobs: which columns hold secrets
// sealed under the master key (walked by `keys rotate-master`), and which rows may be purged once
// their job is done (walked by housekeeping). src/families.ts assembles the declarations; a test
// fails when a table has a sealed column that no family declares.
import type { Kysely, Transaction } from "kysely";
import type { SecretBox } from "../crypto/secret-box.js";
import type { Database } from "./schema.js";

/** One table's sealed secrets: how to lock a batch, re-seal a row, and count what is left. */
export interface SealedSource<R = unknown> {
  table: string;
  /** The bytea column holding the sealed value (its key id sits beside it). */
  column: string;
  lock(trx: Transaction<Database>, keyIds: string[], after: R | undefined, limit: number): Promise<R[]>;
  /** Names the row in log lines; never the secret. */
  label(row: R): string;
  reseal(trx: Transaction<Database>, box: SecretBox, row: R): Promise<void>;
  countNotUnder(db: Kysely<Database>, keyId: string): Promise<number>;
}

/** Rows whose job is done: deleted in bounded batches once older than `keepMs`. */
export interface PurgeRule {
  /** The name housekeeping reports the count under. */
  name: string;
  keepMs: number;
  /** Deletes at most PURGE_BATCH rows older than `cutoff`; returns how many went. */
  purge(db: Kysely<Database>, cutoff: Date): Promise<number>;
}

export const PURGE_BATCH = 1000;
export const DAY_MS = 24 * 3600 * 1000;
