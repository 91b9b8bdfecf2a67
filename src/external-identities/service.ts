// Identity linking: an external identity (a connection's user id) linked to a user of the same pool,
// and federated users made native. Writes own their transaction and take the pool first
// (src/user-pools/parent.ts), then their rows. One identity belongs to at most one user of a pool:
// the table's primary key decides between concurrent links, so exactly one of them wins.
import type { Transaction } from "kysely";
import type { z } from "zod";
import type { Database } from "../platform/db/schema.js";
import type { AppDeps } from "../deps.js";
import { ApiError, errors } from "../core/errors.js";
import { isUniqueViolation } from "../platform/db/errors.js";
import { parentPool } from "../user-pools/parent.js";
import type { convertInput, linkInput } from "./schemas.js";
import { heldByNativeUsers, IDENTIFIER_FIELDS, lockUsers, markNative, type FederationRow, type IdentifierField } from "./federated.js";
import * as q from "./queries.js";

type Deps = Pick<AppDeps, "db" | "clock">;
export type LinkInput = z.output<typeof linkInput>;
export type ConvertInput = z.output<typeof convertInput>;

export const connectionNotFound = (uid: string) => errors.notFound(`IdentityProvider ${uid}`);
const userNotFound = (uid: string) => errors.notFound(`User ${uid}`);
const identityName = (connectionUid: string, externalUserId: string) =>
  `ExternalIdentity ${JSON.stringify(externalUserId)} of IdentityProvider ${connectionUid}`;
export const identityTaken = (connectionUid: string, externalUserId: string) =>
  new ApiError("Duplicated", `${identityName(connectionUid, externalUserId)} is already linked to a user of the pool`);

const keyOf = (accountId: string, i: LinkInput): q.LinkKey => ({
  accountId,
  poolUid: i.UserPoolUid,
  connectionUid: i.ConnectionUid,
  externalUserId: i.ExternalProviderUserId,
});

/** LinkIdentityProviderToUser: the identity must be free in the pool, and the user must have none of that connection yet. */
export async function linkIdentity(deps: Deps, accountId: string, input: LinkInput): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, accountId, input.UserPoolUid, "share");
    if (!(await q.findConnection(trx, accountId, input.UserPoolUid, input.ConnectionUid))) throw connectionNotFound(input.ConnectionUid);
    if (!(await q.userExists(trx, accountId, input.UserPoolUid, input.UserPoolUserUid))) throw userNotFound(input.UserPoolUserUid);
    try {
      await q.insertLink(trx, {
        account_id: accountId,
        user_pool_uid: input.UserPoolUid,
        connection_uid: input.ConnectionUid,
        external_user_id: input.ExternalProviderUserId,
        user_uid: input.UserPoolUserUid,
        link_source: "LINK",
        created_at: now,
        updated_at: now,
      });
      // Linked again by an administrator: DisableIdentityProviderForUser's mark no longer holds.
      await q.clearIdentityDisabled(trx, keyOf(accountId, input));
    } catch (err) {
      if (isUniqueViolation(err, "external_identities__pkey")) throw identityTaken(input.ConnectionUid, input.ExternalProviderUserId);
      if (isUniqueViolation(err, "external_identities__user_uid"))
        throw errors.duplicated(`an identity of IdentityProvider ${input.ConnectionUid} linked to User ${input.UserPoolUserUid}`);
      throw err;
    }
  });
}

/** DisableIdentityProviderForUser: removes the link; NotFound names what is missing (pool, connection, user, or the link). */
export async function unlinkIdentity(deps: Deps, accountId: string, input: LinkInput): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, accountId, input.UserPoolUid, "share");
    if (await q.deleteLink(trx, keyOf(accountId, input), input.UserPoolUserUid)) {
      // Remembered, so a federated sign-in of this identity is refused rather than linked again (by
      // e-mail) or made into a new user: src/sign-in/federation/users.ts.
      await q.markIdentityDisabled(trx, keyOf(accountId, input), input.UserPoolUserUid, deps.clock.now());
      return;
    }
    if (!(await q.findConnection(trx, accountId, input.UserPoolUid, input.ConnectionUid))) throw connectionNotFound(input.ConnectionUid);
    if (!(await q.userExists(trx, accountId, input.UserPoolUid, input.UserPoolUserUid))) throw userNotFound(input.UserPoolUserUid);
    throw errors.notFound(`${identityName(input.ConnectionUid, input.ExternalProviderUserId)} linked to User ${input.UserPoolUserUid}`);
  });
}

export interface ConvertResult {
  SuccessfulUids: string[];
  ConflictUsers: { Field: IdentifierField; UserUids: string[] }[];
}

/**
 * Which federated users of `rows` may become native: none of their identifiers may be held by a
 * native user, nor by an earlier user of the same request (the earlier one goes ahead).
 */
async function findConflicts(trx: Transaction<Database>, accountId: string, poolUid: string, rows: FederationRow[]) {
  const conflicts = new Map<IdentifierField, string[]>();
  for (const field of IDENTIFIER_FIELDS) {
    const values = rows.flatMap((r) => (r[field] ? [r[field]] : []));
    const held = await heldByNativeUsers(trx, accountId, poolUid, field, values);
    for (const r of rows) {
      const v = r[field];
      if (!v) continue;
      if (held.has(v)) conflicts.set(field, [...(conflicts.get(field) ?? []), r.uid]);
      else held.add(v);
    }
  }
  return conflicts;
}

/** Retries a transaction that met a concurrent native writer's unique value (it now sees that value and reports the conflict). */
const RETRIES = 3;

/**
 * BatchConvertFederatedUsersToNativeUsers. Every uid must name a user of the pool (else NotFound,
 * nothing converted); a native user is already what was asked and counts as converted.
 */
export async function convertToNative(deps: Deps, accountId: string, input: ConvertInput): Promise<ConvertResult> {
  const poolUid = input.UserPoolUid;
  const asked = [...new Set(input.UserUids)];
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.db.transaction().execute(async (trx) => {
        await parentPool(trx, accountId, poolUid, "share");
        const found = new Map((await lockUsers(trx, accountId, poolUid, asked)).map((r) => [r.uid, r]));
        const missing = asked.find((uid) => !found.has(uid));
        if (missing !== undefined) throw userNotFound(missing);
        const rows = asked.map((uid) => found.get(uid)!);
        const conflicts = await findConflicts(
          trx,
          accountId,
          poolUid,
          rows.filter((r) => r.connection_uid !== null),
        );
        const conflicting = new Set([...conflicts.values()].flat());
        await markNative(
          trx,
          accountId,
          poolUid,
          rows.filter((r) => r.connection_uid !== null && !conflicting.has(r.uid)).map((r) => r.uid),
          deps.clock.now(),
        );
        return {
          SuccessfulUids: asked.filter((uid) => !conflicting.has(uid)),
          ConflictUsers: [...conflicts].map(([Field, UserUids]) => ({ Field, UserUids })),
        };
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      if (attempt >= RETRIES) throw errors.unavailable("the request conflicted with concurrent writes to the pool's users, retry it");
    }
  }
}
