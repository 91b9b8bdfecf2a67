// SQL for user_pool_domains and user_pool_domain_operations. Every query is scoped by account_id
// first, then the pool; only housekeeping's pending scan (pendingDomainsDue) crosses accounts.
import { sql, type Insertable, type Selectable, type Transaction, type Updateable } from "kysely";
import type { Database } from "../platform/db/schema.js";
import type { Db } from "../platform/db/types.js";
import type { UserPoolDomainOperationsTable, UserPoolDomainsTable } from "./tables.js";

export type DomainRow = Selectable<UserPoolDomainsTable>;
export type OperationRow = Selectable<UserPoolDomainOperationsTable>;

/** A pool keeps its newest operations; older ones are trimmed as new ones are written. */
export const OPERATIONS_KEPT = 100;

export interface DomainKey {
  accountId: string;
  poolUid: string;
  domain: string;
}

const ofPool = (db: Db, accountId: string, poolUid: string) =>
  db.selectFrom("user_pool_domains").where("account_id", "=", accountId).where("user_pool_uid", "=", poolUid);

/** The pool's domain by name; `lock` holds it for the rest of the transaction. */
export function findDomain(db: Db, k: DomainKey, lock = false): Promise<DomainRow | undefined> {
  const q = ofPool(db, k.accountId, k.poolUid).selectAll().where("domain", "=", k.domain);
  return (lock ? q.forUpdate() : q).executeTakeFirst();
}

export function insertDomain(db: Db, row: Insertable<UserPoolDomainsTable>): Promise<DomainRow> {
  return db.insertInto("user_pool_domains").values(row).returningAll().executeTakeFirstOrThrow();
}

const whereKey = (k: DomainKey) => (db: Db) =>
  db
    .updateTable("user_pool_domains")
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where("domain", "=", k.domain);

export function updateDomain(db: Db, k: DomainKey, changes: Updateable<UserPoolDomainsTable>): Promise<DomainRow | undefined> {
  return whereKey(k)(db).set(changes).returningAll().executeTakeFirst();
}

/**
 * Claims the next check of a pending domain: sets last_checked_at to `now` only when the last check
 * started before `dueBefore`, so of concurrent callers (Gets, every instance's housekeeping) one looks it up.
 */
export function claimCheck(db: Db, k: DomainKey, now: Date, dueBefore: Date): Promise<DomainRow | undefined> {
  return whereKey(k)(db)
    .set({ last_checked_at: now })
    .where("status", "=", "PENDING")
    .where((eb) => eb.or([eb("last_checked_at", "is", null), eb("last_checked_at", "<", dueBefore)]))
    .returningAll()
    .executeTakeFirst();
}

export async function deleteDomain(db: Db, k: DomainKey): Promise<boolean> {
  const r = await db
    .deleteFrom("user_pool_domains")
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where("domain", "=", k.domain)
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** Pending domains of every account whose last check started before `dueBefore`, least recently checked first. */
export function pendingDomainsDue(db: Db, dueBefore: Date, limit: number): Promise<DomainRow[]> {
  return db
    .selectFrom("user_pool_domains")
    .selectAll()
    .where("status", "=", "PENDING")
    .where((eb) => eb.or([eb("last_checked_at", "is", null), eb("last_checked_at", "<", dueBefore)]))
    .orderBy(sql`last_checked_at nulls first`)
    .limit(limit)
    .execute();
}

const operationsOf = (db: Db, accountId: string, poolUid: string) =>
  db.selectFrom("user_pool_domain_operations").where("account_id", "=", accountId).where("user_pool_uid", "=", poolUid);

/** The pool's operations, newest first. */
export function listOperations(db: Db, accountId: string, poolUid: string): Promise<OperationRow[]> {
  return operationsOf(db, accountId, poolUid)
    .selectAll()
    .orderBy("created_at", "desc")
    .orderBy("task_id", "desc")
    .limit(OPERATIONS_KEPT)
    .execute();
}

/** The pool's newest operation. */
export function latestOperation(trx: Transaction<Database>, accountId: string, poolUid: string): Promise<OperationRow | undefined> {
  return operationsOf(trx, accountId, poolUid)
    .selectAll()
    .orderBy("created_at", "desc")
    .orderBy("task_id", "desc")
    .limit(1)
    .executeTakeFirst();
}

export async function insertOperation(
  trx: Transaction<Database>,
  row: Insertable<UserPoolDomainOperationsTable> & { account_id: string },
): Promise<void> {
  await trx.insertInto("user_pool_domain_operations").values(row).execute();
  // Keeps the pool's newest OPERATIONS_KEPT: older ones say nothing a console shows.
  const oldest = await operationsOf(trx, row.account_id, row.user_pool_uid)
    .select(["created_at", "task_id"])
    .orderBy("created_at", "desc")
    .orderBy("task_id", "desc")
    .offset(OPERATIONS_KEPT - 1)
    .limit(1)
    .executeTakeFirst();
  if (!oldest) return;
  await trx
    .deleteFrom("user_pool_domain_operations")
    .where("account_id", "=", row.account_id)
    .where("user_pool_uid", "=", row.user_pool_uid)
    .where((eb) =>
      eb.or([
        eb("created_at", "<", oldest.created_at),
        eb.and([eb("created_at", "=", oldest.created_at), eb("task_id", "<", oldest.task_id)]),
      ]),
    )
    .execute();
}

export async function touchOperation(trx: Transaction<Database>, accountId: string, taskId: string, now: Date): Promise<void> {
  await trx
    .updateTable("user_pool_domain_operations")
    .set({ updated_at: now })
    .where("account_id", "=", accountId)
    .where("task_id", "=", taskId)
    .execute();
}

/**
 * The account's pools among `uids` in the caller's order, without repeats (all its pools, oldest
 * first, when undefined; the pools quota bounds them).
 */
export async function poolUidsOf(db: Db, accountId: string, uids: string[] | undefined): Promise<string[]> {
  let query = db.selectFrom("user_pools").select("uid").where("account_id", "=", accountId);
  if (uids) query = query.where("uid", "in", uids);
  const found = (await query.orderBy("created_at").orderBy("uid").execute()).map((r) => r.uid);
  if (!uids) return found;
  const present = new Set(found);
  return [...new Set(uids)].filter((u) => present.has(u));
}
