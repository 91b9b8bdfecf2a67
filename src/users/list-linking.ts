// ListUsers' identity-linking filters, one function per Filter key: Connection (the connection a
// federated user was created through; index users__connection_uid) and
// ExternalProviderUserIdentifiersOr (users linked to any of these ids, at any connection of the pool;
// a range of external_identities' primary key per id).
import type { SelectQueryBuilder } from "kysely";
import type { Database } from "../db/schema.js";

type UserQuery = SelectQueryBuilder<Database, "users", object>;

export function byConnection(q: UserQuery, connection: string | undefined): UserQuery {
  return connection === undefined ? q : q.where("connection_uid", "=", connection);
}

/** [] matches no user, as UserUidsOr: [] does. */
export function byExternalIdentifiers(q: UserQuery, ids: string[] | undefined): UserQuery {
  if (ids === undefined) return q;
  return q.where("uid", "in", (eb) =>
    eb
      .selectFrom("external_identities as l")
      .select("l.user_uid")
      .whereRef("l.account_id", "=", "users.account_id")
      .whereRef("l.user_pool_uid", "=", "users.user_pool_uid")
      .where("l.external_user_id", "in", ids.length ? ids : [""]),
  );
}
