// Housekeeping: now and then, remove what no request will read again. What may go, and after how
// long, each family declares (src/db/declarations.ts PurgeRule, assembled in src/families.ts): spent
// reset tokens (a week), finished mail (30 days), idle rate-limit buckets and the reset mail log (a
// day). Each instance runs it; concurrent purges delete the same rows harmlessly.
import type { Kysely } from "kysely";
import { PURGE_BATCH, type PurgeRule } from "../db/declarations.js";
import type { Database } from "../db/schema.js";
import type { Clock } from "../deps.js";
import { purgeRules } from "../families.js";
import type { Logger } from "../log.js";

/** Rows purged per rule name. */
export type PurgeCounts = Record<string, number>;

/** One pass: each rule deletes batch by batch until a batch comes back short. */
export async function purgeOnce(db: Kysely<Database>, now: Date, rules: PurgeRule[] = purgeRules): Promise<PurgeCounts> {
  const counts: PurgeCounts = {};
  for (const rule of rules) {
    const cutoff = new Date(now.getTime() - rule.keepMs);
    let total = 0;
    for (let n = await rule.purge(db, cutoff); n > 0; n = n < PURGE_BATCH ? 0 : await rule.purge(db, cutoff)) total += n;
    counts[rule.name] = total;
  }
  return counts;
}

export interface Housekeeper {
  stop(): Promise<void>;
}

export function startHousekeeping(opts: { db: Kysely<Database>; clock: Clock; log: Logger; everyMs?: number }): Housekeeper {
  let running: Promise<void> | undefined;
  const pass = () => {
    if (running) return;
    running = purgeOnce(opts.db, opts.clock.now())
      .then((counts) => {
        if (Object.values(counts).some((n) => n > 0)) opts.log.info(counts, "housekeeping purged");
      })
      .catch((err: Error) => opts.log.warn({ err: { name: err.name, message: err.message } }, "housekeeping failed; will retry"))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(pass, opts.everyMs ?? 10 * 60_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
