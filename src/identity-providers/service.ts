// OAuth identity providers ("connections") of a user pool. Each function is one use case; writes own
// their transaction. The client secret is sealed here, right after validation, and never leaves
// this layer in plain form.
import { randomUUID } from "node:crypto";
import type { AppDeps } from "../deps.js";
import { offsetPage, type Page } from "../core/page.js";
import { onUniqueViolation } from "../platform/db/errors.js";
import { enforceQuota } from "../platform/db/quota.js";
import { endpointRefusal } from "../platform/outbound/endpoint-check.js";
import { errors } from "../core/errors.js";
import { parentPool } from "../user-pools/parent.js";
import type { z } from "zod";
import { isEmpty, merged, patchOf, type PatchRules } from "../core/patch.js";
import type { createIdentityProviderInput, updateIdentityProviderInput } from "./schemas.js";
import * as q from "./queries.js";
import type { IdentityProviderRow } from "./queries.js";
import { sealClientSecret } from "./secret.js";
import type { ConnectionType, IdentityProvidersTable } from "./tables.js";
import type { Insertable, Updateable } from "kysely";
import { DEFAULT_EXTRA_CONFIGURATION, DEFAULT_SCIM_PROVISIONING } from "./upstream-schemas.js";
import {
  accountIdentityProviderItem,
  DEFAULT_PROVIDER_OPTIONS,
  identityProviderListItem,
  identityProviderView,
  type AccountIdentityProviderItem,
  type IdentityProviderListItem,
  type IdentityProviderView,
} from "./view.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock" | "secretBox">;

/** What the actions hand over, typed from their schemas: a new schema field needs a rule below. */
export type CreateIdentityProviderInput = Omit<z.output<typeof createIdentityProviderInput>, "UserPoolUid">;
export type UpdateIdentityProviderInput = Omit<z.output<typeof updateIdentityProviderInput>, "UserPoolUid" | "ConnectionUid">;

/**
 * Each field's column: ProviderOptions and ExtraProviderConfiguration merge field by field,
 * ScopesList, AttributeMappings and ClaimsPropagationConfig are replaced whole, and the secret
 * (sealed by the service, and only when non-empty) has no plain column.
 */
/** The fields every connection type has, with the same column and rule. */
export const SHARED_FIELDS = {
  Name: "name",
  Enabled: "enabled",
  ProviderOptions: merged<IdentityProviderRow, "provider_options">("provider_options", DEFAULT_PROVIDER_OPTIONS),
  AttributeMappings: "attribute_mappings",
  ClaimsPropagationConfig: "claims_propagation_config",
  // The schema accepts only "": idplane has no elastic IPs, so there is nothing to store.
  EipId: null,
} as const;

export const CONNECTION_FIELDS: PatchRules<UpdateIdentityProviderInput, IdentityProviderRow> = {
  ...SHARED_FIELDS,
  Provider: "provider",
  UsePkce: "use_pkce",
  ClientId: "client_id",
  ClientSecret: null,
  AuthorizationEndpoint: "authorization_endpoint",
  TokenEndpoint: "token_endpoint",
  UserEndpoint: "user_endpoint",
  ScopesList: "scopes_list",
  IdAttribute: "id_attribute",
  ExtraProviderConfiguration: merged("extra_provider_configuration", DEFAULT_EXTRA_CONFIGURATION),
};

/** OIDC and SAML connections' fields beyond the shared ones: SCIM settings merge field by field. */
export const FEDERATED_FIELDS = {
  ...SHARED_FIELDS,
  ScimProvisioning: merged<IdentityProviderRow, "scim_provisioning">("scim_provisioning", DEFAULT_SCIM_PROVISIONING),
} as const;

/** Create's own fields: the sole-provider flag is set once; Passvault options can only be empty. */
const CREATE_FIELDS: PatchRules<CreateIdentityProviderInput, IdentityProviderRow> = {
  ...CONNECTION_FIELDS,
  SoleProviderConnection: "sole_provider_connection",
  PassvaultOauth2CredentialProviderOptions: null,
};

export interface ConnectionRef {
  UserPoolUid: string;
  ConnectionUid: string;
}

const duplicateName = (name: string) => () => errors.duplicated(`IdentityProvider ${name}`);
const secondSole = (poolUid: string) => () => errors.duplicated(`SoleProviderConnection of UserPool ${poolUid}`);
const keyOf = (accountId: string, ref: ConnectionRef): q.ConnectionKey => ({ accountId, poolUid: ref.UserPoolUid, uid: ref.ConnectionUid });

/** NotFound for the pool when the pool is missing, else for the connection: the caller learns which. */
async function notFound(deps: Pick<Deps, "db">, accountId: string, ref: ConnectionRef): Promise<never> {
  await parentPool(deps.db, accountId, ref.UserPoolUid, "read");
  throw errors.notFound(`IdentityProvider ${ref.ConnectionUid}`);
}

type ConnectionInsert = Insertable<IdentityProvidersTable>;
/** A new row less what insertConnection sets; the rest defaults as an OAuth connection's would. */
type NewConnection = Pick<ConnectionInsert, "uid" | "name" | "connection_type"> &
  Partial<Omit<ConnectionInsert, "account_id" | "user_pool_uid" | "created_at" | "updated_at">>;

/**
 * Inserts a connection of any type: under the pool's counter lock, the per-pool quota (shared by
 * every type), the name rule of the pool and the one-sole-provider rule. `row.uid` is chosen by the
 * caller, who seals secrets to it beforehand.
 */
export async function insertConnection(deps: Deps, accountId: string, poolUid: string, row: NewConnection): Promise<IdentityProviderRow> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, accountId, poolUid, "counter");
    await enforceQuota(trx, {
      name: "IdentityProvidersPerPool",
      scope: `${accountId}:${poolUid}`,
      limit: deps.config.quotas.identityProvidersPerPool,
      count: () => q.countIdentityProviders(trx, accountId, poolUid),
    });
    const insert = onUniqueViolation(
      q.insertIdentityProvider(trx, {
        provider: "",
        enabled: true,
        use_pkce: true,
        scopes_list: [],
        provider_options: DEFAULT_PROVIDER_OPTIONS,
        extra_provider_configuration: DEFAULT_EXTRA_CONFIGURATION,
        client_id: "",
        authorization_endpoint: "",
        token_endpoint: "",
        user_endpoint: "",
        id_attribute: "",
        ...row,
        account_id: accountId,
        user_pool_uid: poolUid,
        created_at: now,
        updated_at: now,
      }),
      "identity_providers__name",
      duplicateName(row.name),
    );
    return onUniqueViolation(insert, "identity_providers__sole_provider_connection", secondSole(poolUid));
  });
}

/**
 * The endpoints idplane itself will call (sign-in: server to server) must pass the outbound address
 * policy, checked when written as the guarded fetch checks them when fetched; AuthorizationEndpoint
 * is where browsers go, not idplane, and keeps the schema's rule alone.
 */
async function checkCalledEndpoints(
  deps: Pick<Deps, "config">,
  input: { TokenEndpoint?: string | undefined; UserEndpoint?: string | undefined },
): Promise<void> {
  for (const name of ["TokenEndpoint", "UserEndpoint"] as const) {
    const url = input[name];
    const why = url === undefined ? undefined : await endpointRefusal(deps.config.outbound, url);
    if (why) throw errors.invalidParameter(name, `${name}: ${why}`);
  }
}

export async function createIdentityProvider(
  deps: Deps,
  accountId: string,
  poolUid: string,
  input: CreateIdentityProviderInput,
): Promise<IdentityProviderView> {
  await checkCalledEndpoints(deps, input);
  const uid = randomUUID();
  const secret = input.ClientSecret
    ? sealClientSecret(deps.secretBox, { account_id: accountId, user_pool_uid: poolUid, uid }, input.ClientSecret)
    : {};
  const fields = patchOf(input, {}, CREATE_FIELDS) as Pick<
    IdentityProviderRow,
    "name" | "client_id" | "authorization_endpoint" | "token_endpoint" | "user_endpoint" | "id_attribute"
  >;
  return identityProviderView(await insertConnection(deps, accountId, poolUid, { uid, connection_type: "OAUTH", ...fields, ...secret }));
}

/** One connection of the given type; NotFound for another type's (DeleteIdentityProvider takes any). */
export async function findConnection(
  deps: Pick<Deps, "db">,
  accountId: string,
  ref: ConnectionRef,
  type: ConnectionType,
): Promise<IdentityProviderRow> {
  const row = await q.findIdentityProvider(deps.db, keyOf(accountId, ref));
  return row?.connection_type === type ? row : notFound(deps, accountId, ref);
}

export async function getIdentityProvider(deps: Pick<Deps, "db">, accountId: string, ref: ConnectionRef): Promise<IdentityProviderView> {
  return identityProviderView(await findConnection(deps, accountId, ref, "OAUTH"));
}

/**
 * The partial update of every type: locks the connection, asks `changesOf` what the input changes
 * on the current row, and writes that. A call that changes nothing writes nothing and keeps
 * UpdateTime.
 */
export async function updateConnection(
  deps: Deps,
  accountId: string,
  ref: ConnectionRef,
  type: ConnectionType,
  changesOf: (current: IdentityProviderRow) => Updateable<IdentityProvidersTable> | Promise<Updateable<IdentityProvidersTable>>,
): Promise<IdentityProviderRow> {
  const key = keyOf(accountId, ref);
  const row = await deps.db.transaction().execute(async (trx) => {
    const current = await q.findIdentityProviderForUpdate(trx, key);
    if (current?.connection_type !== type) return undefined;
    const changes = await changesOf(current);
    if (isEmpty(changes)) return current;
    return onUniqueViolation(
      q.updateIdentityProvider(trx, key, { ...changes, updated_at: deps.clock.now() }),
      "identity_providers__name",
      duplicateName(changes.name ?? ""),
    );
  });
  return row ?? notFound(deps, accountId, ref);
}

/**
 * Partial update: omitted fields stay; ProviderOptions merges field by field; ScopesList replaces
 * the list; the secret changes only with a non-empty ClientSecret.
 */
export async function updateIdentityProvider(
  deps: Deps,
  accountId: string,
  ref: ConnectionRef,
  input: UpdateIdentityProviderInput,
): Promise<IdentityProviderView> {
  await checkCalledEndpoints(deps, input);
  const row = await updateConnection(deps, accountId, ref, "OAUTH", (current) => ({
    ...patchOf(input, current, CONNECTION_FIELDS),
    ...(input.ClientSecret && sealClientSecret(deps.secretBox, current, input.ClientSecret)),
  }));
  return identityProviderView(row);
}

/** @param type restricts the delete to one connection type (DeleteIdentityProviderOAuth). */
export async function deleteIdentityProvider(
  deps: Pick<Deps, "db">,
  accountId: string,
  ref: ConnectionRef,
  type?: ConnectionType,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, accountId, ref.UserPoolUid, "counter");
    if (!(await q.deleteIdentityProvider(trx, keyOf(accountId, ref), type))) throw errors.notFound(`IdentityProvider ${ref.ConnectionUid}`);
  });
}

export type ListFilter =
  | { Name?: string | undefined; ConnectionType?: ConnectionType | undefined; ExcludeConnectionType?: ConnectionType | undefined }
  | undefined;
const filterOf = (f: ListFilter): q.ConnectionFilter => ({ name: f?.Name, type: f?.ConnectionType, excludeType: f?.ExcludeConnectionType });

export async function listIdentityProviders(
  deps: Pick<Deps, "db">,
  accountId: string,
  input: { UserPoolUid: string; PageNumber: number; PageSize: number; Filter?: ListFilter },
): Promise<Page<IdentityProviderListItem>> {
  // An unknown pool is NotFound, not an empty list: the caller most likely has a wrong uid.
  await parentPool(deps.db, accountId, input.UserPoolUid, "read");
  return offsetPage(
    q.identityProviderListing(deps.db, accountId, input.UserPoolUid, filterOf(input.Filter)),
    input,
    identityProviderListItem,
  );
}

/**
 * The pool's connections of one type, whole as the Get answers them but for a SAML connection's
 * IdpMetadata (answered "": up to 128 KiB each, it stays for GetIdentityProviderSAML), one page of
 * at most CONNECTION_PAGE_MAX. Every field left is bounded by its schema, so one answer is bounded
 * (docs/upstream-deviations.md: upstream answers every connection on one page, which at 300
 * connections of 128 KiB metadata each was a 40 MB answer).
 */
export async function listConnectionsOfType<V>(
  deps: Pick<Deps, "db">,
  accountId: string,
  input: { UserPoolUid: string; PageNumber: number; PageSize: number },
  type: ConnectionType,
  view: (row: IdentityProviderRow) => V,
): Promise<Page<V>> {
  await parentPool(deps.db, accountId, input.UserPoolUid, "read");
  const listing = q.connectionsOfTypeListing(deps.db, accountId, input.UserPoolUid, type);
  return offsetPage(listing, input, (row) => view({ ...row, idp_metadata: null, saml_idp: null }));
}

/** The connections of every pool of the account. */
export function listAccountIdentityProviders(
  deps: Pick<Deps, "db">,
  accountId: string,
  input: { PageNumber: number; PageSize: number; Filter?: ListFilter },
): Promise<Page<AccountIdentityProviderItem>> {
  return offsetPage(q.accountIdentityProviderListing(deps.db, accountId, filterOf(input.Filter)), input, accountIdentityProviderItem);
}
