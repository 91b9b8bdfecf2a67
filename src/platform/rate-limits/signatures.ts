// The ledger of used signatures behind strict replay protection (ID_REPLAY_PROTECTION=on), shared
// by every instance through seen_signatures. Rows are useless once their request's timestamp is
// outside the window, so each instance prunes them now and then, off the request path.
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.js";
import type { Logger } from "../log.js";
import { pruneSignatures, rememberSignature } from "./queries.js";

export interface SignatureLedger {
  /** Records the signature until expiresAt; false when it was used before (a replay). */
  firstUse(entry: { accountId: string; signature: string; expiresAt: Date }): Promise<boolean>;
}

export function createSignatureLedger(
  db: Kysely<Database>,
  log: Logger,
  opts: { pruneEveryMs?: number; now?: () => number } = {},
): SignatureLedger {
  const pruneEveryMs = opts.pruneEveryMs ?? 60_000;
  const now = opts.now ?? Date.now;
  let lastPrune = now();
  let pruning = false;

  function maybePrune() {
    if (pruning || now() - lastPrune < pruneEveryMs) return;
    pruning = true;
    lastPrune = now();
    // Several instances may prune at once; the deletes touch the same expired rows and are harmless.
    pruneSignatures(db, new Date(now()))
      .then((n) => n && log.debug({ pruned: n }, "expired signatures pruned"))
      .catch((err: Error) => log.warn({ err: { name: err.name, message: err.message } }, "pruning signatures failed"))
      .finally(() => {
        pruning = false;
      });
  }

  return {
    async firstUse(entry) {
      maybePrune();
      return rememberSignature(db, entry);
    },
  };
}
