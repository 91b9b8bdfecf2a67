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

/** [] matches no user, as UserUidsOr: [] does. Uncorrelated, so the ids are one probe each of the primary key. */
export function byExternalIdentifiers(q: UserQuery, pool: PoolKey, ids: string[] | undefined): UserQuery {
  if (ids === undefined) return q;
  return q.where("uid", "in", (eb) =>
    eb
      .selectFrom("external_identities")
      .select("user_uid")
      .where("account_id", "=", pool.accountId)
      .where("user_pool_uid", "=", pool.poolUid)
      .where("external_user_id", "in", ids.length ? ids : [""]),
  );
}

/** The index expressions of users__sort_email and users__sort_phone_number (sql/010). */
const KEY = {
  Email: sql`(coalesce(lower(email), '') collate "C")`,
  PhoneNumber: sql`(coalesce(phone_number, '') collate "C")`,
};

/**
 * EmailIsDuplicated / PhoneNumberIsDuplicated: users whose value another user of the pool holds too
 * (only federated users can share one, sql/016). The shared values are found in one ordered pass over
 * the field's index (grouped, count > 1), then matched by the same expression.
 */
export function byDuplicated(q: UserQuery, pool: PoolKey, fields: (keyof typeof KEY)[]): UserQuery {
  let out = q;
  for (const field of fields) {
    out = out.where(
      sql<SqlBool>`${KEY[field]} in (select ${KEY[field]} from users where account_id = ${pool.accountId} and user_pool_uid = ${pool.poolUid} and ${KEY[field]} > '' group by 1 having count(*) > 1)`,
    );
  }
  return out;
}
