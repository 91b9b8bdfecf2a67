// OAuth identity providers ("connections") of a user pool. Each function is one use case; writes own
// their transaction. The client secret is sealed here, right after validation, and never leaves
// this layer in plain form.
import { randomUUID } from "node:crypto";
import type { AppDeps } from "../deps.js";
import { offsetPage, type Page } from "../core/page.js";
import { onUniqueViolation } from "../db/errors.js";
import { enforceQuota } from "../db/quota.js";
import { errors } from "../core/errors.js";
import { parentPool } from "../user-pools/parent.js";
import * as q from "./queries.js";
import { sealClientSecret } from "./secret.js";
import type { ConnectionType, ProviderOptions } from "./tables.js";
import { DEFAULT_PROVIDER_OPTIONS, identityProviderListItem, identityProviderView, type IdentityProviderListItem, type IdentityProviderView } from "./view.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock" | "secretBox">;

export interface IdentityProviderFields {
  Name: string;
  ClientId: string;
  AuthorizationEndpoint: string;
  TokenEndpoint: string;
  UserEndpoint: string;
  IdAttribute: string;
  Provider?: string | undefined;
  Enabled?: boolean | undefined;
  UsePkce?: boolean | undefined;
  /** Empty or absent: no secret (create) / keep the stored one (update). */
  ClientSecret?: string | undefined;
  ScopesList?: string[] | undefined;
  ProviderOptions?: Partial<ProviderOptions> | undefined;
}

export interface ConnectionRef {
  UserPoolUid: string;
  ConnectionUid: string;
}

const duplicateName = (name: string) => () => errors.duplicated(`IdentityProvider ${name}`);
const keyOf = (accountId: string, ref: ConnectionRef): q.ConnectionKey => ({ accountId, poolUid: ref.UserPoolUid, uid: ref.ConnectionUid });

/** NotFound for the pool when the pool is missing, else for the connection: the caller learns which. */
async function notFound(deps: Pick<Deps, "db">, accountId: string, ref: ConnectionRef): Promise<never> {
  await parentPool(deps.db, accountId, ref.UserPoolUid, "read");
  throw errors.notFound(`IdentityProvider ${ref.ConnectionUid}`);
}

export async function createIdentityProvider(deps: Deps, accountId: string, poolUid: string, input: IdentityProviderFields): Promise<IdentityProviderView> {
  const uid = randomUUID();
  const now = deps.clock.now();
  const row = await deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, accountId, poolUid, "counter");
    await enforceQuota(trx, {
      name: "IdentityProvidersPerPool",
      scope: `${accountId}:${poolUid}`,
      limit: deps.config.quotas.identityProvidersPerPool,
      count: () => q.countIdentityProviders(trx, accountId, poolUid),
    });
    const secret = input.ClientSecret ? sealClientSecret(deps.secretBox, { account_id: accountId, user_pool_uid: poolUid, uid }, input.ClientSecret) : {};
    return onUniqueViolation(
      q.insertIdentityProvider(trx, {
        account_id: accountId,
        user_pool_uid: poolUid,
        uid,
        name: input.Name,
        connection_type: "OAUTH",
        provider: input.Provider ?? "",
        enabled: input.Enabled ?? true,
        use_pkce: input.UsePkce ?? true,
        client_id: input.ClientId,
        ...secret,
        authorization_endpoint: input.AuthorizationEndpoint,
        token_endpoint: input.TokenEndpoint,
        user_endpoint: input.UserEndpoint,
        scopes_list: input.ScopesList ?? [],
        id_attribute: input.IdAttribute,
        provider_options: { ...DEFAULT_PROVIDER_OPTIONS, ...input.ProviderOptions },
        created_at: now,
        updated_at: now,
      }),
      "identity_providers__name",
      duplicateName(input.Name),
    );
  });
  return identityProviderView(row);
}

export async function getIdentityProvider(deps: Pick<Deps, "db">, accountId: string, ref: ConnectionRef): Promise<IdentityProviderView> {
  const row = await q.findIdentityProvider(deps.db, keyOf(accountId, ref));
  return row ? identityProviderView(row) : notFound(deps, accountId, ref);
}

/**
 * Partial update: omitted fields stay; ProviderOptions merges field by field; ScopesList replaces
 * the list; the secret changes only with a non-empty ClientSecret. A call that changes nothing
 * writes nothing and keeps UpdateTime.
 */
export async function updateIdentityProvider(
  deps: Deps,
  accountId: string,
  ref: ConnectionRef,
  input: Partial<IdentityProviderFields>,
): Promise<IdentityProviderView> {
  const key = keyOf(accountId, ref);
  const row = await deps.db.transaction().execute(async (trx) => {
    const current = await q.findIdentityProviderForUpdate(trx, key);
    if (!current) return undefined;
    const changes = {
      ...(input.Name !== undefined && { name: input.Name }),
      ...(input.Provider !== undefined && { provider: input.Provider }),
      ...(input.Enabled !== undefined && { enabled: input.Enabled }),
      ...(input.UsePkce !== undefined && { use_pkce: input.UsePkce }),
      ...(input.ClientId !== undefined && { client_id: input.ClientId }),
      ...(input.ClientSecret && sealClientSecret(deps.secretBox, current, input.ClientSecret)),
      ...(input.AuthorizationEndpoint !== undefined && { authorization_endpoint: input.AuthorizationEndpoint }),
      ...(input.TokenEndpoint !== undefined && { token_endpoint: input.TokenEndpoint }),
      ...(input.UserEndpoint !== undefined && { user_endpoint: input.UserEndpoint }),
      ...(input.ScopesList !== undefined && { scopes_list: input.ScopesList }),
      ...(input.IdAttribute !== undefined && { id_attribute: input.IdAttribute }),
      ...(input.ProviderOptions !== undefined && {
        provider_options: { ...DEFAULT_PROVIDER_OPTIONS, ...current.provider_options, ...input.ProviderOptions },
      }),
    };
    if (Object.keys(changes).length === 0) return current;
    return onUniqueViolation(
      q.updateIdentityProvider(trx, key, { ...changes, updated_at: deps.clock.now() }),
      "identity_providers__name",
      duplicateName(input.Name ?? ""),
    );
  });
  return row ? identityProviderView(row) : notFound(deps, accountId, ref);
}

/** @param type restricts the delete to one connection type (DeleteIdentityProviderOAuth). */
export async function deleteIdentityProvider(deps: Pick<Deps, "db">, accountId: string, ref: ConnectionRef, type?: ConnectionType): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, accountId, ref.UserPoolUid, "counter");
    if (!(await q.deleteIdentityProvider(trx, keyOf(accountId, ref), type))) throw errors.notFound(`IdentityProvider ${ref.ConnectionUid}`);
  });
}

export async function listIdentityProviders(
  deps: Pick<Deps, "db">,
  accountId: string,
  input: { UserPoolUid: string; PageNumber: number; PageSize: number; Filter?: { Name?: string | undefined; ConnectionType?: ConnectionType | undefined } | undefined },
): Promise<Page<IdentityProviderListItem>> {
  // An unknown pool is NotFound, not an empty list: the caller most likely has a wrong uid.
  await parentPool(deps.db, accountId, input.UserPoolUid, "read");
  const listing = q.identityProviderListing(deps.db, accountId, input.UserPoolUid, { name: input.Filter?.Name, type: input.Filter?.ConnectionType });
  return offsetPage(listing, input, identityProviderListItem);
}
