// Kysely table types of this family; joined into the Database type in src/platform/db/schema.ts.
import type { ColumnType } from "kysely";
import type { BigintString, Timestamp } from "../platform/db/types.js";

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

export const CONNECTION_TYPES = ["OAUTH", "OIDC", "SAML"] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

/** Upstream's SCIM provisioning settings of an OIDC or SAML connection, stored whole. */
export interface ScimProvisioning {
  Enabled: boolean;
  UserIdAttribute: string;
  AdditionalMappings: { ScimPath: string; UserPoolPath: string[] }[];
}

/** What idplane read from a SAML connection's IdpMetadata (src/identity-providers/saml-metadata.ts). */
export interface SamlIdp {
  EntityId: string;
  SingleSignOnServices: { Binding: string; Location: string }[];
  SigningCertificates: { Subject: string; NotAfter: string; Fingerprint256: string }[];
  WantAuthnRequestsSigned: boolean;
}

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
  scim_provisioning: ColumnType<ScimProvisioning, ScimProvisioning | undefined>;
  /** OIDC only (null otherwise), with jwks_uri from its discovery document. */
  issuer: string | null;
  is_id_token_mapping: ColumnType<boolean, boolean | undefined>;
  jwks_uri: string | null;
  /** SAML only (null otherwise): the metadata as given and what was read from it. */
  idp_metadata: string | null;
  saml_idp: SamlIdp | null;
  attribute_mapping: ColumnType<string, string | undefined>;
  enabled_sign: ColumnType<boolean, boolean | undefined>;
  enabled_encryption: ColumnType<boolean, boolean | undefined>;
  /** SAML: the SP's self-signed certificate (PEM) and its sealed PKCS#8 private key (see sp-keys.ts). */
  sp_certificate: string | null;
  sp_private_key_sealed: Uint8Array | null;
  sp_private_key_key_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IdentityProviderTables {
  identity_providers: IdentityProvidersTable;
}
