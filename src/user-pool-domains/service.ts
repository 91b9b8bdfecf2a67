// Custom domains of user pools: one per pool; a name is ACTIVE for at most one pool in the whole
// service, and pending claims of it block nobody (claims.ts). Each function is one use
// case; writes own their transaction and take the pool first (src/user-pools/parent.ts), then the
// domain. Every change is written to the operations log in the same transaction (operations.ts).
import type { z } from "zod";
import type { AppDeps } from "../deps.js";
import { ApiError, errors } from "../core/errors.js";
import { onUniqueViolation } from "../platform/db/errors.js";
import { parentPool } from "../user-pools/parent.js";
import { isActiveAnywhere } from "./claims.js";
import type { createDomainInput, domainRef, updateDomainInput } from "./schemas.js";
import { cnameTarget, isWithin } from "./names.js";
import { operationView, recordOperation } from "./operations.js";
import * as q from "./queries.js";
import type { DomainKey, DomainRow } from "./queries.js";
import { verifyIfDue } from "./verify.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock">;
export type CreateDomainInput = z.output<typeof createDomainInput>;
export type UpdateDomainInput = z.output<typeof updateDomainInput>;
export type DomainRef = z.output<typeof domainRef>;

export const domainView = (r: DomainRow) => ({
  UserPoolUid: r.user_pool_uid,
  Domain: r.domain,
  ApigDomain: r.apig_domain,
  CertificateId: r.certificate_id,
  Status: r.status,
});

const keyOf = (accountId: string, ref: DomainRef): DomainKey => ({ accountId, poolUid: ref.UserPoolUid, domain: ref.Domain });
const notFound = (domain: string) => errors.notFound(`UserPoolDomain ${domain}`);

/** idplane's own names are nobody's custom domain: a pool's CNAME target, or the shared public host. */
function checkNotOwnName(deps: Deps, domain: string): void {
  const own = [deps.config.domains.cnameTargetSuffix, new URL(deps.config.publicBaseUrl).hostname];
  if (own.some((name) => isWithin(domain, name)))
    throw errors.invalidParameter("Domain", `${domain} is one of idplane's own names (${own.join(", ")}) and cannot be a custom domain`);
}

export async function createDomain(deps: Deps, accountId: string, input: CreateDomainInput) {
  const k = keyOf(accountId, input);
  checkNotOwnName(deps, k.domain);
  const now = deps.clock.now();
  try {
    const row = await deps.db.transaction().execute(async (trx) => {
      await parentPool(trx, accountId, k.poolUid, "share");
      // Only a name some pool has proven (ACTIVE) is taken; pending claims block nobody (claims.ts),
      // so this answer says nothing about whether anyone else merely claimed the name.
      if (await isActiveAnywhere(trx, k.domain)) throw errors.duplicated(`Domain ${k.domain}`);
      const insert = q.insertDomain(trx, {
        account_id: accountId,
        user_pool_uid: k.poolUid,
        domain: k.domain,
        apig_domain: cnameTarget(deps.config.domains.cnameTargetSuffix, k.poolUid),
        certificate_id: input.CertificateId ?? "",
        status: "PENDING",
        created_at: now,
        updated_at: now,
      });
      const row = await onUniqueViolation(insert, "user_pool_domains__pkey", () =>
        errors.duplicated(`custom domain of UserPool ${k.poolUid} (a pool has one)`),
      );
      await recordOperation(trx, deps.clock, k, "CREATE", { ok: true });
      return row;
    });
    return domainView(row);
  } catch (err) {
    // The pool exists (its NotFound would not be Duplicated): the refusal goes into its log too. The
    // caller's answer is the refusal either way, even if the pool went meanwhile and the log with it.
    if (err instanceof ApiError && err.code === "Duplicated") await recordFailure(deps, k, "CREATE", err.message).catch(() => undefined);
    throw err;
  }
}

async function recordFailure(deps: Deps, k: DomainKey, action: "CREATE", message: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, k.accountId, k.poolUid, "share");
    await recordOperation(trx, deps.clock, k, action, { ok: false, message });
  });
}

/** The domain, looked up first when it is pending and its check is due (verify.ts). */
export async function getDomain(deps: Deps, accountId: string, ref: DomainRef) {
  const k = keyOf(accountId, ref);
  await parentPool(deps.db, accountId, k.poolUid, "read");
  const row = await q.findDomain(deps.db, k);
  if (!row) throw notFound(k.domain);
  return verifiedView(deps, row);
}

async function verifiedView(deps: Deps, row: DomainRow) {
  const { row: after } = await verifyIfDue(deps, row);
  if (!after) throw notFound(row.domain);
  return domainView(after);
}

/** CertificateId is the one field to change; a call that changes nothing writes nothing. Then as Get. */
export async function updateDomain(deps: Deps, accountId: string, input: UpdateDomainInput) {
  const k = keyOf(accountId, input);
  const row = await deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, accountId, k.poolUid, "share");
    const current = await q.findDomain(trx, k, true);
    if (!current) throw notFound(k.domain);
    if (input.CertificateId === undefined || input.CertificateId === current.certificate_id) return current;
    await recordOperation(trx, deps.clock, k, "UPDATE", { ok: true });
    return (await q.updateDomain(trx, k, { certificate_id: input.CertificateId, updated_at: deps.clock.now() }))!;
  });
  return verifiedView(deps, row);
}

/** The pool's endpoints go back to the public base URL at once. */
export async function deleteDomain(deps: Deps, accountId: string, ref: DomainRef): Promise<void> {
  const k = keyOf(accountId, ref);
  await deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, accountId, k.poolUid, "share");
    if (!(await q.deleteDomain(trx, k))) throw notFound(k.domain);
    await recordOperation(trx, deps.clock, k, "DELETE", { ok: true });
  });
}

export async function listDomainOperations(deps: Pick<Deps, "db">, accountId: string, poolUid: string) {
  await parentPool(deps.db, accountId, poolUid, "read");
  const rows = await q.listOperations(deps.db, accountId, poolUid);
  return { UserPoolUid: poolUid, Operations: rows.map(operationView) };
}
