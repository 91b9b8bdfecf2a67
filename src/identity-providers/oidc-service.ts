// OIDC connections: OAuth connections whose endpoints come from their issuer. The discovery document
// is fetched before the transaction (no row lock is held across the network) and only when the
// issuer is new or changed; what it names is written with the issuer in one statement.
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { AppDeps } from "../deps.js";
import { patchOf, type PatchRules } from "../core/patch.js";
import { oidcConnectionView } from "./federation-view.js";
import type { createOidcInput, updateOidcInput } from "./oidc-schemas.js";
import { discoverIssuer, type IssuerDiscovery } from "./oidc-discovery.js";
import type { IdentityProviderRow } from "./queries.js";
import { sealClientSecret } from "./secret.js";
import { FEDERATED_FIELDS, findConnection, insertConnection, updateConnection, type ConnectionRef } from "./service.js";
import { parentPool } from "../user-pools/parent.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock" | "secretBox" | "log">;
export type CreateOidcInput = Omit<z.output<typeof createOidcInput>, "UserPoolUid">;
export type UpdateOidcInput = Omit<z.output<typeof updateOidcInput>, "UserPoolUid" | "ConnectionUid">;

/** Issuer and ClientSecret are the service's (discovered, sealed). */
const OIDC_FIELDS: PatchRules<UpdateOidcInput, IdentityProviderRow> = {
  ...FEDERATED_FIELDS,
  Issuer: null,
  ClientId: "client_id",
  ClientSecret: null,
  UsePkce: "use_pkce",
  IsIdTokenMapping: "is_id_token_mapping",
  ScopesList: "scopes_list",
};

const CREATE_FIELDS: PatchRules<CreateOidcInput, IdentityProviderRow> = {
  ...OIDC_FIELDS,
  Provider: "provider",
  SoleProviderConnection: "sole_provider_connection",
  PassvaultOauth2CredentialProviderOptions: null,
};

/** The issuer with what its discovery document named: the OAuth endpoint columns and jwks_uri. */
const discovered = (issuer: string, d: IssuerDiscovery) => ({ issuer, ...d });

const viewOf = (deps: Deps) => (row: IdentityProviderRow) => oidcConnectionView(row, deps.config.publicBaseUrl);

export async function createOidcConnection(deps: Deps, accountId: string, poolUid: string, input: CreateOidcInput) {
  // An unknown pool is NotFound before anything is fetched on the caller's behalf.
  await parentPool(deps.db, accountId, poolUid, "read");
  const discovery = await discoverIssuer(deps.config.outbound, deps.log, input.Issuer);
  const uid = randomUUID();
  const secret = input.ClientSecret
    ? sealClientSecret(deps.secretBox, { account_id: accountId, user_pool_uid: poolUid, uid }, input.ClientSecret)
    : {};
  const row = await insertConnection(deps, accountId, poolUid, {
    uid,
    connection_type: "OIDC",
    name: input.Name,
    // The subject of the ID token is what identifies the user at an OpenID provider.
    id_attribute: "sub",
    ...patchOf(input, {}, CREATE_FIELDS),
    ...discovered(input.Issuer, discovery),
    ...secret,
  });
  return viewOf(deps)(row);
}

export async function updateOidcConnection(deps: Deps, accountId: string, ref: ConnectionRef, input: UpdateOidcInput) {
  const newIssuer = input.Issuer;
  const before = newIssuer === undefined ? undefined : await findConnection(deps, accountId, ref, "OIDC");
  const discovery =
    newIssuer !== undefined && before?.issuer !== newIssuer ? await discoverIssuer(deps.config.outbound, deps.log, newIssuer) : undefined;
  const row = await updateConnection(deps, accountId, ref, "OIDC", (current) => ({
    ...patchOf(input, current, OIDC_FIELDS),
    ...(discovery && newIssuer !== current.issuer && discovered(newIssuer!, discovery)),
    ...(input.ClientSecret && sealClientSecret(deps.secretBox, current, input.ClientSecret)),
  }));
  return viewOf(deps)(row);
}
