// Housekeeping: now and then, remove what no request will read again: spent reset tokens (kept a
// week after use or expiry, for support questions), finished mail (kept 30 days), idle rate-limit
// buckets (a day) and the reset mail log (a day, the longest ID_RESET_MAIL_WINDOW_SECONDS). Each instance runs it; concurrent purges delete the same rows harmlessly.
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.js";
import type { Clock } from "../deps.js";
import type { Logger } from "../log.js";
import { purgeFinishedMail, purgeIdleBuckets, purgeResetMailLog, purgeResetTokens } from "./queries.js";

const DAY_MS = 24 * 3600 * 1000;
export const RETENTION = { resetTokensMs: 7 * DAY_MS, finishedMailMs: 30 * DAY_MS, idleBucketsMs: DAY_MS, resetMailLogMs: DAY_MS };

export interface PurgeCounts {
  resetTokens: number;
  finishedMail: number;
  idleBuckets: number;
  resetMailLog: number;
}

/** One pass: deletes batch by batch until a batch comes back short. */
export async function purgeOnce(db: Kysely<Database>, now: Date): Promise<PurgeCounts> {
  const drain = async (purge: (db: Kysely<Database>, cutoff: Date) => Promise<number>, keepMs: number) => {
    const cutoff = new Date(now.getTime() - keepMs);
    let total = 0;
    for (let n = await purge(db, cutoff); n > 0; n = n < 1000 ? 0 : await purge(db, cutoff)) total += n;
    return total;
  };
  return {
    resetTokens: await drain(purgeResetTokens, RETENTION.resetTokensMs),
    finishedMail: await drain(purgeFinishedMail, RETENTION.finishedMailMs),
    idleBuckets: await drain(purgeIdleBuckets, RETENTION.idleBucketsMs),
    resetMailLog: await drain(purgeResetMailLog, RETENTION.resetMailLogMs),
  };
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
