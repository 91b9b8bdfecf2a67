// Housekeeping: now and then, remove what no request will read again. What may go, and after how
// long, each family declares (src/platform/db/declarations.ts PurgeRule, assembled in src/families.ts): spent
// reset tokens (a week), finished mail (30 days), idle rate-limit buckets and the reset mail log (a
// day). Each instance runs it; concurrent purges delete the same rows harmlessly. With `domains`, it
// also looks up the pending custom domains whose check is due, every ID_DOMAIN_CHECK_INTERVAL_SECONDS
// (src/user-pool-domains/verify.ts; a claim per domain keeps instances from repeating a lookup).
import type { Kysely } from "kysely";
import { PURGE_BATCH, type PurgeRule } from "../db/declarations.js";
import type { Database } from "../db/schema.js";
import type { Clock } from "../../deps.js";
import { purgeRules } from "../../families.js";
import type { Logger } from "../log.js";
import { verifyPendingDomains, type VerifyDeps } from "../../user-pool-domains/verify.js";

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

/** Runs `job` every `everyMs`, never two at once; stop() tells the job (`stopping`) and waits for it. */
function every(everyMs: number, job: (stopping: () => boolean) => Promise<void>): Housekeeper {
  let running: Promise<void> | undefined;
  let stopped = false;
  const timer = setInterval(() => {
    running ??= job(() => stopped).finally(() => {
      running = undefined;
    });
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

export function startHousekeeping(opts: {
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  everyMs?: number;
  domains?: VerifyDeps;
}): Housekeeper {
  const failed = (what: string) => (err: Error) =>
    opts.log.warn({ err: { name: err.name, message: err.message } }, `${what} failed; will retry`);
  const purging = every(opts.everyMs ?? 10 * 60_000, () =>
    purgeOnce(opts.db, opts.clock.now())
      .then((counts) => {
        if (Object.values(counts).some((n) => n > 0)) opts.log.info(counts, "housekeeping purged");
      })
      .catch(failed("housekeeping")),
  );
  const domains = opts.domains;
  const checking =
    domains &&
    every(domains.config.domains.checkIntervalSeconds * 1000, (stopping) =>
      verifyPendingDomains(domains, { stopping })
        .then((counts) => {
          if (counts.checked > 0 || counts.failed > 0) opts.log.info(counts, "custom domains checked");
        })
        .catch(failed("custom domain checks")),
    );
  return {
    async stop() {
      await Promise.all([purging.stop(), checking?.stop()]);
    },
  };
}
