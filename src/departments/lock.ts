// The one lock every writer of a pool's departments takes: the pool FOR KEY SHARE (so it stays until
// commit, src/user-pools/parent.ts), then a transaction-scoped advisory lock on the pool's tree.
// Moves, creates, deletes, membership changes and sync commits of one pool run one at a time, so a
// move can never race another into a cycle, and quotas counted under the lock hold.
import type { Transaction } from "kysely";
import type { Database } from "../platform/db/schema.js";
import { lockScope } from "../platform/db/quota.js";
import { parentPool } from "../user-pools/parent.js";
import type { PoolKey } from "./queries.js";

export async function lockTree(trx: Transaction<Database>, k: PoolKey): Promise<void> {
  await parentPool(trx, k.accountId, k.poolUid, "share");
  await lockScope(trx, `departments:${k.accountId}:${k.poolUid}`);
}
