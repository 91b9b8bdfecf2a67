// Kysely table types of this family; joined into the Database type in src/db/schema.ts.
import type { ColumnType } from "kysely";
import type { BigintString, Timestamp } from "../db/types.js";

export const AUTO_LINKING = ["DISABLED", "USERNAME", "EMAIL"] as const;
export type AutoLinking = (typeof AUTO_LINKING)[number];

/** Stored whole (every field set), so a partial update can merge field by field. */
export interface ProviderOptions {
  AutoLinking: AutoLinking;
  IsLinkingAllowed: boolean;
  IsCreationAllowed: boolean;
  IsAutoCreation: boolean;
  IsAutoUpdate: boolean;
  UserLinkingPromptEnabled: boolean;
}

/** How a mapping fills its target: from the provider's attribute, or with a fixed value. */
export const MAPPING_TYPES = ["DIRECT", "CONSTANT"] as const;

export interface AttributeMapping {
  SourceAttributeName: string;
  TargetAttributeName: string;
  MappingType: (typeof MAPPING_TYPES)[number];
  AdditionalConfig: string;
}

/** DISABLED: no provider claim reaches idplane's tokens; RULES: the claims ClaimRules name do. */
export const PROPAGATION_MODES = ["DISABLED", "RULES"] as const;
export const CLAIM_TYPES = ["STRING", "NUMBER", "BOOLEAN", "JSON"] as const;

export interface ClaimsPropagationConfig {
  Mode: (typeof PROPAGATION_MODES)[number];
  ClaimRules: { ClaimType: (typeof CLAIM_TYPES)[number]; Required: boolean; SourceClaimPath: string; TargetClaim: string }[];
}

export interface ExtraProviderConfiguration {
  DingDingExtraProviderConfiguration: { AgentId: string };
}

export type ConnectionType = "OAUTH";

export interface IdentityProvidersTable {
  account_id: BigintString;
  user_pool_uid: string;
  uid: string;
  name: string;
  connection_type: ColumnType<ConnectionType, ConnectionType | undefined, never>;
  provider: string;
  enabled: boolean;
  use_pkce: boolean;
  client_id: string;
  /** AES-256-GCM blob (see secret.ts); null with client_secret_key_id when no secret is set. */
  client_secret_sealed: Uint8Array | null;
  client_secret_key_id: string | null;
  authorization_endpoint: string;
  token_endpoint: string;
  user_endpoint: string;
  scopes_list: string[];
  id_attribute: string;
  /** jsonb: both drivers serialize the object for the column's type themselves. */
  provider_options: ProviderOptions;
  attribute_mappings: ColumnType<AttributeMapping[], AttributeMapping[] | undefined>;
  claims_propagation_config: ColumnType<ClaimsPropagationConfig, ClaimsPropagationConfig | undefined>;
  extra_provider_configuration: ColumnType<ExtraProviderConfiguration, ExtraProviderConfiguration | undefined>;
  sole_provider_connection: ColumnType<boolean, boolean | undefined>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IdentityProviderTables {
  identity_providers: IdentityProvidersTable;
}
