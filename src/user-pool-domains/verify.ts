// When a pending custom domain becomes ACTIVE: once idplane has looked up its CNAME and found its
// pool's target (dns-check.ts); the other claims of the name are then withdrawn (claims.ts). The
// check runs on GetUserPoolDomain and UpdateUserPoolDomain, and in housekeeping's pass over pending
// domains; whoever comes first claims it, at most once per ID_DOMAIN_CHECK_INTERVAL_SECONDS per
// domain, and the lookup runs with no transaction open.
// An ACTIVE domain is not looked up again: a DNS outage must not move a pool's issuer.
import type { AppDeps } from "../deps.js";
import { parentPool } from "../user-pools/parent.js";
import { isActiveAnywhere, isExpired, withdrawOtherClaims } from "./claims.js";
import { checkCname } from "./dns-check.js";
import { recordOperation } from "./operations.js";
import * as q from "./queries.js";
import type { DomainKey, DomainRow } from "./queries.js";

export type VerifyDeps = Pick<AppDeps, "db" | "config" | "clock">;

export const keyOf = (r: DomainRow): DomainKey => ({ accountId: r.account_id, poolUid: r.user_pool_uid, domain: r.domain });

/** Checks started before this are old enough for another. */
const dueBefore = (deps: VerifyDeps) => new Date(deps.clock.now().getTime() - deps.config.domains.checkIntervalSeconds * 1000);

/**
 * Looks a pending domain up when its check is due, and records the outcome. Returns the row as it is
 * afterwards (undefined: deleted meanwhile) and whether this call did the check.
 */
export async function verifyIfDue(deps: VerifyDeps, row: DomainRow): Promise<{ row: DomainRow | undefined; checked: boolean }> {
  // An expired claim is not looked up again: housekeeping removes it (claims.ts).
  if (row.status !== "PENDING" || isExpired(row.created_at, deps.clock.now())) return { row, checked: false };
  const k = keyOf(row);
  const claimed = await q.claimCheck(deps.db, k, deps.clock.now(), dueBefore(deps));
  if (!claimed) return { row, checked: false };
  const outcome = await checkCname(deps.config.domains, row.domain, row.apig_domain);
  const after = await deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, k.accountId, k.poolUid, "share");
    const current = await q.findDomain(trx, k, true);
    if (current?.status !== "PENDING") return current;
    // Another claim of the name won meanwhile: this one is withdrawn, as the winner would have done.
    if (outcome.ok && (await isActiveAnywhere(trx, k.domain))) {
      await recordOperation(trx, deps.clock, k, "VERIFY", {
        ok: false,
        message: `${k.domain} is already verified for another pool; this claim was withdrawn`,
      });
      await q.deleteDomain(trx, k);
      return undefined;
    }
    await recordOperation(trx, deps.clock, k, "VERIFY", outcome);
    if (!outcome.ok) return current;
    const active = await q.updateDomain(trx, k, { status: "ACTIVE", updated_at: deps.clock.now() });
    await withdrawOtherClaims(trx, deps.clock, k);
    return active;
  });
  return { row: after, checked: true };
}

/** Domains checked at once by one housekeeping pass: each may wait up to the DNS bound. */
const PARALLEL = 8;

/**
 * Housekeeping's pass: every pending domain whose check is due, up to `limit`, PARALLEL at a time;
 * counts what it did. `stopping` ends it between two rounds (shutdown waits one DNS bound at most).
 */
export async function verifyPendingDomains(deps: VerifyDeps, opts: { limit?: number; stopping?: () => boolean } = {}) {
  const due = await q.pendingDomainsDue(deps.db, dueBefore(deps), opts.limit ?? 200);
  const counts = { checked: 0, activated: 0, failed: 0 };
  for (let i = 0; i < due.length && !opts.stopping?.(); i += PARALLEL) {
    const results = await Promise.allSettled(due.slice(i, i + PARALLEL).map((r) => verifyIfDue(deps, r)));
    for (const r of results) {
      // A pool deleted between the scan and the check is NotFound: nothing left to verify.
      if (r.status === "rejected") counts.failed += 1;
      else if (r.value.checked) {
        counts.checked += 1;
        if (r.value.row?.status === "ACTIVE") counts.activated += 1;
      }
    }
  }
  return counts;
}
