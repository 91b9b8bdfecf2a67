// ListUsers' identity-linking filters, one function per Filter key: Connection (the connection a
// federated user was created through; index users__connection_uid) and
// ExternalProviderUserIdentifiersOr (users linked to any of these ids, at any connection of the pool;
// a range of external_identities' primary key per id); and the *IsDuplicated flags, which federated
// users (who may share an identifier) give a meaning.
import { sql, type SelectQueryBuilder, type SqlBool } from "kysely";
import type { Database } from "../platform/db/schema.js";

type UserQuery = SelectQueryBuilder<Database, "users", object>;

export function byConnection(q: UserQuery, connection: string | undefined): UserQuery {
  return connection === undefined ? q : q.where("connection_uid", "=", connection);
}

export interface PoolKey {
  accountId: string;
  poolUid: string;
}

/**
 * [] matches no user, as UserUidsOr: [] does. The linked users' uids are collected once (an InitPlan:
 * at most 100 ids, each at a few connections) and each candidate is compared with that array. A
 * semi-join would leave the plan to the estimates, and on a freshly imported pool (statistics saying
 * the pool is empty) the planner rescanned the pool's identities per user: 60 s at 10,000 users.
 */
export function byExternalIdentifiers(q: UserQuery, pool: PoolKey, ids: string[] | undefined): UserQuery {
  if (ids === undefined) return q;
  const linked = sql`array(select user_uid from external_identities where account_id = ${pool.accountId} and user_pool_uid = ${pool.poolUid} and external_user_id in (${sql.join(ids.length ? ids : [""])}))`;
  return q.where(sql<SqlBool>`uid = any(${linked})`);
}

/** The index expressions of users__sort_email and users__sort_phone_number (sql/010). */
const KEY = {
  Email: sql`(coalesce(lower(email), '') collate "C")`,
  PhoneNumber: sql`(coalesce(phone_number, '') collate "C")`,
};
export type DuplicatedField = keyof typeof KEY;
const COUNT_COLUMN = { Email: sql.raw("dup_email_n"), PhoneNumber: sql.raw("dup_phone_n") };

/**
 * EmailIsDuplicated / PhoneNumberIsDuplicated: users whose value another user of the pool holds too
 * (only federated users can share one, sql/016). The pool's rows are read once, each with the number
 * of rows holding its value (a window partitioned by the field: one sort, or one pass over the
 * field's index), and the outer query keeps those with more than one. No join, so nothing the
 * planner's estimates can turn quadratic: the former `key in (select key ... group by key having
 * count(*) > 1)` became a nested loop rerunning the grouping per row on a pool whose statistics
 * predate its import (56-81 s at 10,000 users, issue 22).
 *
 * The result replaces `users` in FROM under the same name, with every column of the table.
 */
export function duplicatedSource(pool: PoolKey, fields: DuplicatedField[]) {
  const counts = fields.map((f) => sql`count(*) over (partition by ${KEY[f]}) as ${COUNT_COLUMN[f]}`);
  return sql`(select users.*, ${sql.join(counts)} from users where account_id = ${pool.accountId} and user_pool_uid = ${pool.poolUid})`.as(
    "users",
  );
}

/** The condition on duplicatedSource's rows: a value (not empty) that more than one user holds. */
export function byDuplicated(q: UserQuery, fields: DuplicatedField[]): UserQuery {
  let out = q;
  for (const field of fields) out = out.where(sql<SqlBool>`${KEY[field]} > '' and ${COUNT_COLUMN[field]} > 1`);
  return out;
}
