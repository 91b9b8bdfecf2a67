// The one place a client is written, whichever face asks: the OAuthCredential actions and upstream's
// UserPoolClient actions (src/user-pool-clients/) are two APIs over the same rows. Both come here, so
// a client has one secret (made, hashed and reset here only), one quota, one lock order and one set
// of rules, checked on the client as it would be stored. The faces translate their fields to
// columns and their results from rows; how a face names a client is its own `find`.
import type { Insertable, Transaction, Updateable } from "kysely";
import { errors } from "../core/errors.js";
import { isEmpty } from "../core/patch.js";
import type { Database } from "../platform/db/schema.js";
import { onUniqueViolation } from "../platform/db/errors.js";
import { enforceQuota } from "../platform/db/quota.js";
import type { AppDeps } from "../deps.js";
import { findParentPool, parentPool } from "../user-pools/parent.js";
import * as q from "./queries.js";
import type { CredentialRow } from "./queries.js";
import { checkCredentialRules, checkRefreshTokenRules } from "./rules.js";
import { hashClientSecret, newClientApiIdentifier, newClientSecret } from "./secret.js";
import { isPublicClient, type OAuthCredentialsTable } from "./tables.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock">;
type Trx = Transaction<Database>;

/** What a face decides on create: every column but the identity, the secret and the times. */
export type NewClient = Omit<
  Insertable<OAuthCredentialsTable>,
  "account_id" | "user_pool_uid" | "client_api_identifier" | "secret_hash" | "secret_updated_at" | "created_at" | "updated_at"
>;
export type ClientChanges = Updateable<OAuthCredentialsTable>;

/** A written client, and its new secret when this write made one (create, reset): shown once. */
export interface Written {
  row: CredentialRow;
  secret?: string;
}

type ClientEndState = Pick<
  NewClient,
  | "grant_type"
  | "name"
  | "service_id"
  | "scopes"
  | "refresh_token_has_idle_lifetime"
  | "refresh_token_idle_lifetime_seconds"
  | "refresh_token_has_combined_lifetime"
  | "refresh_token_combined_lifetime_seconds"
>;

/** The client as it would be stored, against every rule, in the seed's order (rules.ts). */
function checkClient(end: ClientEndState, customScopes: readonly string[]): void {
  checkCredentialRules(
    {
      grantType: end.grant_type,
      name: end.name ?? "",
      serviceId: end.service_id == null ? null : Number(end.service_id),
      scopes: end.scopes,
    },
    customScopes,
  );
  // On create the refresh-token settings are the defaults (no face sets them then), which hold.
  if (end.refresh_token_idle_lifetime_seconds === undefined || end.refresh_token_combined_lifetime_seconds === undefined) return;
  checkRefreshTokenRules({
    hasIdle: Boolean(end.refresh_token_has_idle_lifetime),
    idleSeconds: end.refresh_token_idle_lifetime_seconds,
    hasCombined: Boolean(end.refresh_token_has_combined_lifetime),
    combinedSeconds: end.refresh_token_combined_lifetime_seconds,
  });
}

const secretColumns = (secret: string, now: Date) => ({ secret_hash: hashClientSecret(secret), secret_updated_at: now });

export async function createClient(deps: Deps, accountId: string, poolUid: string, client: NewClient): Promise<Written> {
  const secret = isPublicClient(client.client_type ?? "WEB") ? undefined : newClientSecret();
  const clientId = newClientApiIdentifier();
  const now = deps.clock.now();
  const row = await deps.db.transaction().execute(async (trx) => {
    // NO KEY UPDATE: the insert's trigger updates the pool's total_clients (parent.ts, "counter");
    // the pool and its CustomScopes hold until the client is written.
    const pool = await parentPool(trx, accountId, poolUid, "counter");
    checkClient(client, pool.custom_scopes);
    // One quota over both faces: the same name and scope, whichever action creates.
    await enforceQuota(trx, {
      name: "OAuthCredentialsPerPool",
      scope: `${accountId}:${pool.uid}`,
      limit: deps.config.quotas.credentialsPerPool,
      count: () => q.countCredentialsInPool(trx, accountId, pool.uid),
    });
    return onUniqueViolation(
      q.insertCredential(trx, {
        ...client,
        account_id: accountId,
        user_pool_uid: pool.uid,
        client_api_identifier: clientId,
        ...(secret ? secretColumns(secret, now) : { secret_hash: null, secret_updated_at: now }),
        created_at: now,
        updated_at: now,
      }),
      // 128 random bits make a collision practically impossible; should one happen, the caller retries.
      "oauth_credentials__client_api_identifier",
      () => errors.duplicated(`OAuthCredential ${clientId}`),
    );
  });
  return { row, ...(secret !== undefined && { secret }) };
}

/** What a face wants done to the client it found: column changes, and whether to reset the secret. */
export interface ClientPlan {
  changes: ClientChanges;
  resetSecret?: boolean | undefined;
}

/**
 * Partial update under the client's row lock, so concurrent updates apply one after the other; with
 * a reset each bumps secret_version, and the secret of the last to commit is the only one that
 * verifies. `find` locks the row (or throws the face's NotFound). A plan that changes nothing
 * writes nothing and keeps UpdateTime.
 */
export async function changeClient(
  deps: Deps,
  accountId: string,
  find: (trx: Trx) => Promise<CredentialRow>,
  plan: (current: CredentialRow) => ClientPlan,
): Promise<Written> {
  return deps.db.transaction().execute(async (trx) => {
    const current = await find(trx);
    const { changes, resetSecret } = plan(current);
    // A plain read: the client row is locked already, and locking the pool after it could deadlock
    // with DeleteUserPool, which locks the pool first and its clients after.
    const pool = await findParentPool(trx, accountId, current.user_pool_uid, "read");
    checkClient({ ...current, ...changes } as ClientEndState, pool?.custom_scopes ?? []);
    if (resetSecret && current.secret_hash === null) {
      throw errors.invalidParameter(
        "ResetSecret",
        `client ${current.client_api_identifier} is a public ${current.client_type} client: it has no secret to reset`,
      );
    }
    if (isEmpty(changes) && !resetSecret) return { row: current };
    const now = deps.clock.now();
    const secret = resetSecret ? newClientSecret() : undefined;
    const row = await q.updateCredential(trx, accountId, current.credential_id, {
      ...changes,
      ...(secret !== undefined && { ...secretColumns(secret, now), secret_version: current.secret_version + 1 }),
      updated_at: now,
    });
    return { row, ...(secret !== undefined && { secret }) };
  });
}

/** Deletes the client `find` names (unlocked, or the face's NotFound); its secret stops working at once. */
export async function removeClient(
  deps: Pick<Deps, "db">,
  accountId: string,
  find: (trx: Trx) => Promise<CredentialRow>,
): Promise<CredentialRow> {
  return deps.db.transaction().execute(async (trx) => {
    const row = await find(trx);
    // Pool before client would be the lock order, but the client must be found to know its pool;
    // locking the pool now, before the delete's trigger updates total_clients, keeps the delete
    // itself in DeleteUserPool's order.
    await findParentPool(trx, accountId, row.user_pool_uid, "counter");
    // Gone meanwhile (deleted by a concurrent call or with its pool): NotFound, as it would be now.
    if (!(await q.deleteCredential(trx, accountId, row.credential_id))) throw errors.notFound(`OAuthCredential ${row.credential_id}`);
    return row;
  });
}
