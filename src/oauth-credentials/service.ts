// OAuth client credentials: each function is one use case; writes own their transaction. The seed's
// error conditions come out in the seed's order: reference (MissingParameter.CredentialId), lookup
// (NotFound), then the rules of rules.ts on the credential as it would end up.
import type { AppDeps } from "../deps.js";
import type { Transaction } from "kysely";
import type { Database } from "../db/schema.js";
import { offsetPage, type Page } from "../core/page.js";
import { onUniqueViolation } from "../db/errors.js";
import { enforceQuota } from "../db/quota.js";
import { errors } from "../core/errors.js";
import { findParentPool, parentPool } from "../user-pools/parent.js";
import * as q from "./queries.js";
import { checkCredentialRules, scopeTokens } from "./rules.js";
import { hashClientSecret, newClientApiIdentifier, newClientSecret, secretMatches } from "./secret.js";
import { credentialView, type CredentialView } from "./view.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock">;
type Db = Deps["db"] | Transaction<Database>;

/** How callers name a credential: CredentialId, or ClientApiIdentifier when the id is not given. */
export interface CredentialRefInput {
  CredentialId?: number | undefined;
  ClientApiIdentifier?: string | undefined;
}

export interface CredentialFields {
  Name?: string | undefined;
  Description?: string | undefined;
  GrantType?: string | undefined;
  Scope?: string | undefined;
  /** 0 means "no service". */
  ServiceId?: number | undefined;
  /** "" clears it. */
  LogoUri?: string | undefined;
  RedirectUri?: string[] | undefined;
}

export interface CreateCredentialInput extends CredentialFields {
  UserPoolUid: string;
  GrantType: string;
  Scope: string;
}

export interface UpdateCredentialInput extends CredentialRefInput, CredentialFields {
  ResetSecret?: boolean | undefined;
}

const redirectUris = (uris: string[]) => [...new Set(uris)];

function refOf(input: CredentialRefInput): q.CredentialRef {
  if (input.CredentialId !== undefined) return { credentialId: input.CredentialId };
  if (input.ClientApiIdentifier) return { clientApiIdentifier: input.ClientApiIdentifier };
  throw errors.missingParameter("CredentialId", "a CredentialId, or a ClientApiIdentifier when the id is not known, is required");
}

/** Finds the caller's credential (locked when in a write transaction) or throws NotFound. */
async function loadCredential(db: Db, accountId: string, input: CredentialRefInput, lock?: Transaction<Database>) {
  const ref = refOf(input);
  const row = lock ? await q.findCredentialForUpdate(lock, accountId, ref) : await q.findCredential(db, accountId, ref);
  if (!row) throw errors.notFound(`OAuthCredential ${"credentialId" in ref ? ref.credentialId : ref.clientApiIdentifier}`);
  // Both given: they must name the same credential, or the caller is about to change the wrong one.
  if (input.CredentialId !== undefined && input.ClientApiIdentifier && input.ClientApiIdentifier !== row.client_api_identifier) {
    throw errors.invalidParameter("ClientApiIdentifier", `ClientApiIdentifier does not belong to credential ${input.CredentialId}`);
  }
  return row;
}

export async function createCredential(deps: Deps, accountId: string, input: CreateCredentialInput) {
  const secret = newClientSecret();
  const clientId = newClientApiIdentifier();
  const now = deps.clock.now();
  const row = await deps.db.transaction().execute(async (trx) => {
    // KEY SHARE: the pool stays, and its CustomScopes hold, until the credential is written.
    const pool = await parentPool(trx, accountId, input.UserPoolUid, "share");
    const state = {
      grantType: input.GrantType,
      name: input.Name ?? "",
      serviceId: input.ServiceId ? input.ServiceId : null,
      scopes: scopeTokens(input.Scope),
    };
    checkCredentialRules(state, pool.custom_scopes);
    await enforceQuota(trx, {
      name: "OAuthCredentialsPerPool",
      scope: `${accountId}:${pool.uid}`,
      limit: deps.config.quotas.credentialsPerPool,
      count: () => q.countCredentialsInPool(trx, accountId, pool.uid),
    });
    return onUniqueViolation(
      q.insertCredential(trx, {
        account_id: accountId,
        user_pool_uid: pool.uid,
        client_api_identifier: clientId,
        name: state.name,
        description: input.Description ?? "",
        grant_type: state.grantType,
        scopes: state.scopes,
        service_id: state.serviceId,
        logo_uri: input.LogoUri || null,
        redirect_uris: redirectUris(input.RedirectUri ?? []),
        secret_hash: hashClientSecret(secret),
        secret_updated_at: now,
        created_at: now,
        updated_at: now,
      }),
      // 128 random bits make a collision practically impossible; should one happen, the caller retries.
      "oauth_credentials__client_api_identifier",
      () => errors.duplicated(`OAuthCredential ${clientId}`),
    );
  });
  return { CredentialId: Number(row.credential_id), ClientApiIdentifier: row.client_api_identifier, ClientSecret: secret };
}

export async function getCredential(deps: Pick<Deps, "db">, accountId: string, input: CredentialRefInput): Promise<CredentialView> {
  return credentialView(await loadCredential(deps.db, accountId, input));
}

export interface ListCredentialsInput {
  PageNumber: number;
  PageSize: number;
  UserPoolUid?: string | undefined;
  GrantType?: string | undefined;
  SortField: "CreateTime" | "UpdateTime" | "Name" | "CredentialId";
  SortDirection?: "Asc" | "Desc" | undefined;
}

const SORT_COLUMNS = { CreateTime: "created_at", UpdateTime: "updated_at", Name: "name", CredentialId: "credential_id" } as const;

export async function listCredentials(deps: Pick<Deps, "db">, accountId: string, input: ListCredentialsInput): Promise<Page<CredentialView>> {
  // Filtering by a pool the caller cannot see is NotFound, not an empty page: a typo should show.
  if (input.UserPoolUid !== undefined) await parentPool(deps.db, accountId, input.UserPoolUid, "read");
  // Names read best A to Z; times and ids newest first, unless the caller says otherwise.
  const direction = input.SortDirection ?? (input.SortField === "Name" ? "Asc" : "Desc");
  const listing = q.credentialListing(deps.db, accountId, {
    userPoolUid: input.UserPoolUid,
    grantType: input.GrantType,
    sort: SORT_COLUMNS[input.SortField],
    direction: direction === "Asc" ? "asc" : "desc",
  });
  return offsetPage(listing, input, credentialView);
}

/**
 * Partial update: omitted fields stay. Runs under the credential's row lock, so concurrent updates
 * apply one after the other; with ResetSecret each bumps secret_version, and the secret with the
 * highest version (the last to commit) is the only one that verifies.
 */
export async function updateCredential(deps: Deps, accountId: string, input: UpdateCredentialInput) {
  return deps.db.transaction().execute(async (trx) => {
    const current = await loadCredential(trx, accountId, input, trx);
    // A plain read: the credential row is locked already, and locking the pool after it could
    // deadlock with DeleteUserPool, which locks the pool first and the credentials after.
    const pool = await findParentPool(trx, accountId, current.user_pool_uid, "read");
    const state = {
      grantType: input.GrantType ?? current.grant_type,
      name: input.Name ?? current.name,
      serviceId: input.ServiceId === undefined ? (current.service_id === null ? null : Number(current.service_id)) : input.ServiceId || null,
      scopes: input.Scope === undefined ? current.scopes : scopeTokens(input.Scope),
    };
    checkCredentialRules(state, pool?.custom_scopes ?? []);
    const now = deps.clock.now();
    const secret = input.ResetSecret ? newClientSecret() : undefined;
    const row = await q.updateCredential(trx, accountId, current.credential_id, {
      name: state.name,
      grant_type: state.grantType,
      scopes: state.scopes,
      service_id: state.serviceId,
      ...(input.Description !== undefined && { description: input.Description }),
      ...(input.LogoUri !== undefined && { logo_uri: input.LogoUri || null }),
      ...(input.RedirectUri !== undefined && { redirect_uris: redirectUris(input.RedirectUri) }),
      ...(secret !== undefined && { secret_hash: hashClientSecret(secret), secret_version: current.secret_version + 1, secret_updated_at: now }),
      updated_at: now,
    });
    return { CredentialId: Number(row.credential_id), SecretVersion: row.secret_version, ...(secret !== undefined && { NewClientSecret: secret }) };
  });
}

export async function deleteCredential(deps: Pick<Deps, "db">, accountId: string, input: CredentialRefInput) {
  return deps.db.transaction().execute(async (trx) => {
    const row = await loadCredential(trx, accountId, input);
    // Pool before credential would be the lock order, but the credential must be found to know its
    // pool; locking the pool now, before the delete's trigger updates total_clients, keeps the delete
    // itself in DeleteUserPool's order. A pool gone meanwhile shows as the credential's NotFound below.
    await findParentPool(trx, accountId, row.user_pool_uid, "counter");
    // Gone meanwhile (deleted by a concurrent call or with its pool): NotFound, as it would be now.
    if (!(await q.deleteCredential(trx, accountId, row.credential_id))) throw errors.notFound(`OAuthCredential ${row.credential_id}`);
    return { CredentialId: Number(row.credential_id) };
  });
}

/**
 * The data plane's check of a client id and secret (the OAuth token endpoint's client
 * authentication). Not exposed as an action. Constant time in the secret: the presented secret's
 * hash is compared with timingSafeEqual, against a dummy hash when the client id is unknown.
 */
export async function verifyClientSecret(deps: Pick<AppDeps, "db">, clientApiIdentifier: string, secret: string): Promise<boolean> {
  if (clientApiIdentifier.length === 0 || clientApiIdentifier.length > 128 || secret.length > 1024) return false;
  const row = await q.findByClientIdForVerify(deps.db, clientApiIdentifier);
  return secretMatches(secret, row?.secret_hash);
}
