// The operations log of a pool's custom domain: every create, verify, update and delete with its
// outcome, as ListUserPoolDomainOperations answers it. A check that ends as the previous one did
// (the same domain still not pointed right) moves that entry's UpdateTime instead of adding a row, so
// a domain left pending for days keeps a short log; a pool keeps its newest 100 entries.
import { randomBytes } from "node:crypto";
import type { Transaction } from "kysely";
import { formatTime } from "../core/time.js";
import type { Database } from "../platform/db/schema.js";
import type { Clock } from "../deps.js";
import * as q from "./queries.js";
import type { DomainKey, OperationRow } from "./queries.js";
import type { OperationAction } from "./tables.js";

/** SUCCESS, or FAILED with why. */
export type Outcome = { ok: true } | { ok: false; message: string };

let sequence = 0;
/** Time-ordered: the log lists newest first even when two entries share a millisecond. */
function newTaskId(now: Date): string {
  sequence = (sequence + 1) % 0x10000;
  return `${now.getTime().toString(16).padStart(12, "0")}${sequence.toString(16).padStart(4, "0")}${randomBytes(8).toString("hex")}`;
}

export async function recordOperation(
  trx: Transaction<Database>,
  clock: Clock,
  k: DomainKey,
  action: OperationAction,
  outcome: Outcome,
): Promise<void> {
  const now = clock.now();
  const status = outcome.ok ? "SUCCESS" : "FAILED";
  const errorMessage = outcome.ok ? "" : outcome.message;
  if (action === "VERIFY") {
    const last = await q.latestOperation(trx, k.accountId, k.poolUid);
    if (last?.action === "VERIFY" && last.domain === k.domain && last.status === status && last.error_message === errorMessage) {
      return q.touchOperation(trx, k.accountId, last.task_id, now);
    }
  }
  await q.insertOperation(trx, {
    account_id: k.accountId,
    user_pool_uid: k.poolUid,
    task_id: newTaskId(now),
    domain: k.domain,
    action,
    status,
    error_message: errorMessage,
    created_at: now,
    updated_at: now,
  });
}

export const operationView = (r: OperationRow) => ({
  TaskId: r.task_id,
  Action: r.action,
  Domain: r.domain,
  Status: r.status,
  ErrorMessage: r.error_message,
  CreateTime: formatTime(r.created_at),
  UpdateTime: formatTime(r.updated_at),
});
