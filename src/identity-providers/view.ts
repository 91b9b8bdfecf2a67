// The API representations of a connection (api.md §6, seed 002's response table), built from a row.
// The client secret is never part of them: only its mask.
import { formatTime } from "../core/time.js";
import type { IdentityProviderRow } from "./queries.js";
import { maskedSecret } from "./secret.js";
import type { ProviderOptions } from "./tables.js";

/** What a new connection gets for the ProviderOptions fields it does not set (see README). */
export const DEFAULT_PROVIDER_OPTIONS: ProviderOptions = {
  // Linking by e-mail or username trusts the provider's claim about an existing account: opt-in only.
  AutoLinking: "DISABLED",
  IsLinkingAllowed: false,
  IsCreationAllowed: true,
  IsAutoCreation: true,
  IsAutoUpdate: false,
};

export function identityProviderView(row: IdentityProviderRow) {
  return {
    Uid: row.uid,
    Enabled: row.enabled,
    UsePkce: row.use_pkce,
    Name: row.name,
    Provider: row.provider,
    ClientId: row.client_id,
    ClientSecret: maskedSecret(row),
    AuthorizationEndpoint: row.authorization_endpoint,
    TokenEndpoint: row.token_endpoint,
    UserEndpoint: row.user_endpoint,
    ScopesList: row.scopes_list,
    IdAttribute: row.id_attribute,
    ProviderOptions: { ...DEFAULT_PROVIDER_OPTIONS, ...row.provider_options },
    CreateTime: formatTime(row.created_at),
    UpdateTime: formatTime(row.updated_at),
  };
}

export type IdentityProviderView = ReturnType<typeof identityProviderView>;

export function identityProviderListItem(row: IdentityProviderRow) {
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

export type IdentityProviderListItem = ReturnType<typeof identityProviderListItem>;
