// CreateUser / CreateUsers with an external identity (ExternalProviderConnectionUid and each item's
// ExternalProviderUserIdentifier): the request's rules, and the links written in the create's own
// transaction. A new user whose identity another user of the pool holds is not created: the item is
// Duplicated, naming that user, and its row is removed before the transaction commits.
import type { Transaction } from "kysely";
import { ApiError, errors } from "../core/errors.js";
import type { Database } from "../platform/db/schema.js";
import type { Db } from "../platform/db/types.js";
import { holdersOf, insertLinksSkippingConflicts, findConnection } from "../external-identities/queries.js";
import { connectionNotFound, identityTaken } from "../external-identities/service.js";
import type { ItemFailure } from "./batch.js";
import { deleteUsers } from "./queries.js";
import type { NewUserFields } from "./schemas.js";

/** The connection new users are linked through; undefined when the request names none. */
export type LinkTarget = string | undefined;

/** Federated: created from an external identity without a password (it signs in through its provider). */
export const isFederated = (item: NewUserFields, connection: LinkTarget) =>
  connection !== undefined && !!item.ExternalProviderUserIdentifier && item.Password === undefined;

/** The connection must be one of the pool's (any type): else the whole call is NotFound. */
export async function requireConnection(db: Db, accountId: string, poolUid: string, connection: LinkTarget): Promise<void> {
  if (connection !== undefined && !(await findConnection(db, accountId, poolUid, connection))) throw connectionNotFound(connection);
}

/**
 * Each item's linking error, or undefined: a connection needs every item's identifier and an
 * identifier needs the connection; an identifier repeated in the batch is Duplicated (the earlier goes ahead).
 */
export function linkingErrors(items: (NewUserFields | ApiError)[], connection: LinkTarget): (ItemFailure | undefined)[] {
  const seen = new Set<string>();
  return items.map((item) => {
    if (item instanceof ApiError) return undefined;
    const id = item.ExternalProviderUserIdentifier;
    if (connection === undefined) {
      return id
        ? {
            error: errors.missingParameter(
              "ExternalProviderConnectionUid",
              "ExternalProviderUserIdentifier needs the connection it is an id at",
            ),
            field: "ExternalProviderConnectionUid",
          }
        : undefined;
    }
    if (!id)
      return {
        error: errors.missingParameter(
          "ExternalProviderUserIdentifier",
          "with ExternalProviderConnectionUid, every user needs its id at that connection",
        ),
        field: "ExternalProviderUserIdentifier",
      };
    if (seen.has(id)) return { error: identityTaken(connection, id), field: "ExternalProviderUserIdentifier", duplicatedUserUid: "" };
    seen.add(id);
    return undefined;
  });
}

/**
 * Links the users just inserted (uid -> identifier) to their identities. Those whose identity another
 * user holds (before, or through a concurrent create that committed first) are deleted again; returns
 * their failures by uid.
 */
export async function linkNewUsers(
  trx: Transaction<Database>,
  key: { accountId: string; poolUid: string; connection: string },
  created: { uid: string; externalId: string }[],
  now: Date,
): Promise<Map<string, ItemFailure>> {
  const linked = await insertLinksSkippingConflicts(
    trx,
    created.map((c) => ({
      account_id: key.accountId,
      user_pool_uid: key.poolUid,
      connection_uid: key.connection,
      external_user_id: c.externalId,
      user_uid: c.uid,
      link_source: "CREATE" as const,
      created_at: now,
      updated_at: now,
    })),
  );
  const lost = created.filter((c) => !linked.has(c.uid));
  if (lost.length === 0) return new Map();
  await deleteUsers(
    trx,
    key.accountId,
    key.poolUid,
    lost.map((c) => c.uid),
  );
  const holders = await holdersOf(
    trx,
    key.accountId,
    key.poolUid,
    key.connection,
    lost.map((c) => c.externalId),
  );
  return new Map(
    lost.map((c) => [
      c.uid,
      {
        error: identityTaken(key.connection, c.externalId),
        field: "ExternalProviderUserIdentifier",
        duplicatedUserUid: holders.get(c.externalId) ?? "",
      },
    ]),
  );
}
