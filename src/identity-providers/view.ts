// The API representations of a connection (docs/spec/api.md §6, seed 002's response table), built from a row.
// The client secret is never part of them: only its mask.
import { formatTime } from "../core/time.js";
import type { IdentityProviderRow } from "./queries.js";
import { maskedSecret } from "./secret.js";
import type { ProviderOptions } from "./tables.js";
import { DEFAULT_CLAIMS_PROPAGATION, DEFAULT_EXTRA_CONFIGURATION, EMPTY_EIP_RECORD } from "./upstream-schemas.js";

/** What a new connection gets for the ProviderOptions fields it does not set (see docs/api/identity-providers.md). */
export const DEFAULT_PROVIDER_OPTIONS: ProviderOptions = {
  // Linking by e-mail or username trusts the provider's claim about an existing account: opt-in only.
  AutoLinking: "DISABLED",
  IsLinkingAllowed: false,
  IsCreationAllowed: true,
  IsAutoCreation: true,
  IsAutoUpdate: false,
  UserLinkingPromptEnabled: false,
};

/** The fields every type of connection answers with. */
export function sharedConnectionFields(row: IdentityProviderRow) {
  return {
    Uid: row.uid,
    Enabled: row.enabled,
    Name: row.name,
    Provider: row.provider,
    ProviderOptions: { ...DEFAULT_PROVIDER_OPTIONS, ...row.provider_options },
    AttributeMappings: row.attribute_mappings,
    ClaimsPropagationConfig: { ...DEFAULT_CLAIMS_PROPAGATION, ...row.claims_propagation_config },
    EipRecord: EMPTY_EIP_RECORD,
    CreateTime: formatTime(row.created_at),
    UpdateTime: formatTime(row.updated_at),
  };
}

export function identityProviderView(row: IdentityProviderRow) {
  return {
    ...sharedConnectionFields(row),
    UsePkce: row.use_pkce,
    ClientId: row.client_id,
    ClientSecret: maskedSecret(row),
    AuthorizationEndpoint: row.authorization_endpoint,
    TokenEndpoint: row.token_endpoint,
    UserEndpoint: row.user_endpoint,
    ScopesList: row.scopes_list,
    IdAttribute: row.id_attribute,
    ExtraProviderConfiguration: { ...DEFAULT_EXTRA_CONFIGURATION, ...row.extra_provider_configuration },
    SoleProviderConnection: row.sole_provider_connection,
  };
}

export type IdentityProviderView = ReturnType<typeof identityProviderView>;

type ListItemRow = Pick<IdentityProviderRow, "uid" | "name" | "connection_type" | "provider" | "enabled" | "created_at" | "updated_at">;

function listItemOf(row: ListItemRow) {
  return {
    Uid: row.uid,
    Name: row.name,
    ConnectionType: row.connection_type,
    Provider: row.provider,
    Enabled: row.enabled,
    CreateTime: formatTime(row.created_at),
    UpdateTime: formatTime(row.updated_at),
  };
}

/** An item of ListIdentityProviders. */
export function identityProviderListItem(row: IdentityProviderRow) {
  return { ...listItemOf(row), AttributeMappings: row.attribute_mappings };
}

/** An item of ListAllIdentityProviders: the connection with the pool it belongs to. */
export function accountIdentityProviderItem(row: ListItemRow & { user_pool_uid: string; user_pool_name: string | null }) {
  // The foreign key keeps the pool; null only types the scalar subquery.
  return { ...listItemOf(row), UserPoolUid: row.user_pool_uid, UserPoolName: row.user_pool_name ?? "" };
}

export type IdentityProviderListItem = ReturnType<typeof identityProviderListItem>;
export type AccountIdentityProviderItem = ReturnType<typeof accountIdentityProviderItem>;
