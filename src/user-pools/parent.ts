// The parent-pool kit: every child family (users, password reset, OAuth credentials, identity
// providers, and the families to come) reads or locks its user pool here, and nowhere else.
//
// Lock order: pool, then child. DeleteUserPool locks the pool (its DELETE) and then, through ON
// DELETE CASCADE, every child row; a child write that locked its own row first and the pool after
// would deadlock against it. So a child write takes the pool in the mode below first, then its rows.
// (The one exception is a write that already holds its child row: it reads the pool with "read".)
//
// Modes:
//   "read"    no lock: reads, and checks before a transaction opens.
//   "share"   FOR KEY SHARE: the pool cannot be deleted (nor locked FOR UPDATE by UpdateUserPool,
//             so its CustomScopes and policy hold) until we commit; other children's writes go on.
//   "counter" FOR NO KEY UPDATE: for writes whose insert/delete trigger updates the pool's counters
//             (total_users, total_clients, total_connections). Decided once for every family:
//             NO KEY UPDATE, not FOR UPDATE, because the trigger's own UPDATE takes NO KEY UPDATE
//             (so no lock upgrade mid-transaction), it serializes counter writers of one pool (which
//             the users quota reads from total_users needs), and, unlike FOR UPDATE, it does not block
//             the KEY SHARE locks of other children's foreign-key checks and "share" writers.
import type { Transaction } from "kysely";
import { errors } from "../core/errors.js";
import type { Database } from "../platform/db/schema.js";
import type { Db } from "../platform/db/types.js";
import { prepared } from "../platform/db/prepared.js";
import { selectUserPool, type UserPoolRow } from "./queries.js";

export type ParentMode = "read" | "share" | "counter";

/** The one NotFound for a missing (or another account's) pool. */
export const poolNotFound = (uid: string) => errors.notFound(`UserPool ${uid}`);

/** The pool in the given mode, or undefined; "share" and "counter" need a transaction. */
export function findParentPool(db: Db, accountId: string, uid: string, mode: "read"): Promise<UserPoolRow | undefined>;
export function findParentPool(
  trx: Transaction<Database>,
  accountId: string,
  uid: string,
  mode: ParentMode,
): Promise<UserPoolRow | undefined>;
export function findParentPool(db: Db, accountId: string, uid: string, mode: ParentMode): Promise<UserPoolRow | undefined> {
  return inMode[mode].first(db, accountId, uid);
}

// Compiled once, bound per call (platform/db/prepared.ts): every child read and write starts here.
const inMode = {
  read: prepared((db: Db, accountId: string, uid: string) => selectUserPool(db, accountId, uid)),
  share: prepared((db: Db, accountId: string, uid: string) => selectUserPool(db, accountId, uid).forKeyShare()),
  counter: prepared((db: Db, accountId: string, uid: string) => selectUserPool(db, accountId, uid).forNoKeyUpdate()),
};

/** The pool in the given mode, or NotFound `UserPool <uid>`. */
export function parentPool(db: Db, accountId: string, uid: string, mode: "read"): Promise<UserPoolRow>;
export function parentPool(trx: Transaction<Database>, accountId: string, uid: string, mode: ParentMode): Promise<UserPoolRow>;
export async function parentPool(db: Db, accountId: string, uid: string, mode: ParentMode): Promise<UserPoolRow> {
  const row = await findParentPool(db as Transaction<Database>, accountId, uid, mode);
  if (!row) throw poolNotFound(uid);
  return row;
}
