// The zod schemas of the OAuth identity-provider actions: actions.ts builds the API from them and service.ts takes
// its input types from them, never from actions.ts (which imports the service).
import { z } from "zod";
import { SECRET_MASK } from "./secret.js";
import { AUTO_LINKING, CONNECTION_TYPES } from "./tables.js";
import { pagingInput, requiredText, scopeList, timeString, uid, urlString } from "../core/schemas.js";
import * as f from "./upstream-schemas.js";

/** An endpoint the server calls or sends browsers to: https, or http only on a loopback host. */
export const endpointUrl = urlString(
  { http: "loopback" },
  "must be an absolute https URL (http only for localhost, 127.0.0.1 or [::1]) without credentials or fragment",
  { required: true },
).describe("absolute https URL; http only for localhost, 127.0.0.1 or [::1]");

export const scopesList = scopeList(50).describe("scope tokens without spaces, no duplicates; replaces the whole list on update");

export const providerOptionsInput = z
  .object({
    AutoLinking: z.enum(AUTO_LINKING),
    IsLinkingAllowed: z.boolean(),
    IsCreationAllowed: z.boolean(),
    IsAutoCreation: z.boolean(),
    IsAutoUpdate: z.boolean(),
    UserLinkingPromptEnabled: z.boolean().describe("ask the user before linking an external identity to an existing account"),
  })
  .partial();

/** Write-only; "" means "none" on create and "keep" on update. */
export const clientSecret = z
  .string()
  .max(1024)
  .refine((s) => s === "" || s.trim() !== "", "must not be blank")
  .refine((s) => s !== SECRET_MASK, "is the mask the API returns, not a secret; omit ClientSecret to keep the stored one");

export const requiredFields = {
  Name: requiredText(128),
  ClientId: requiredText(256),
  AuthorizationEndpoint: endpointUrl,
  TokenEndpoint: endpointUrl,
  UserEndpoint: endpointUrl,
  IdAttribute: requiredText(128),
};

export const optionalFields = {
  Provider: z.string().trim().max(64).optional(),
  Enabled: z.boolean().optional(),
  UsePkce: z.boolean().optional(),
  ClientSecret: clientSecret.optional(),
  ScopesList: scopesList.optional(),
  ProviderOptions: providerOptionsInput.optional(),
  AttributeMappings: f.attributeMappings.describe("replaces the whole list on update").optional(),
  ClaimsPropagationConfig: f.claimsPropagationConfig.describe("replaced whole on update").optional(),
  ExtraProviderConfiguration: f.extraProviderConfiguration.optional(),
  EipId: f.eipId.optional(),
};

/** Upstream sets these only on create: a connection's sole-provider role does not change. */
export const createOnlyFields = {
  SoleProviderConnection: z.boolean().describe("the pool's only way to sign in; at most one connection of a pool").optional(),
  PassvaultOauth2CredentialProviderOptions: f.passvaultOptions.optional(),
};

export const identityProviderOutput = z.object({
  Uid: z.string(),
  Enabled: z.boolean(),
  UsePkce: z.boolean(),
  Name: z.string(),
  Provider: z.string(),
  ClientId: z.string(),
  ClientSecret: z.enum([SECRET_MASK, ""]).describe('"******" when a secret is stored, "" when none; never the secret'),
  AuthorizationEndpoint: z.string(),
  TokenEndpoint: z.string(),
  UserEndpoint: z.string(),
  ScopesList: z.array(z.string()),
  IdAttribute: z.string(),
  ProviderOptions: providerOptionsInput.required(),
  AttributeMappings: z.array(f.attributeMappingOutput),
  ClaimsPropagationConfig: f.claimsPropagationOutput,
  ExtraProviderConfiguration: f.extraProviderConfigurationOutput,
  SoleProviderConnection: z.boolean(),
  EipRecord: f.eipRecordOutput,
  CreateTime: timeString,
  UpdateTime: timeString,
});

export const listItemFields = {
  Uid: z.string(),
  Name: z.string(),
  ConnectionType: z.enum(CONNECTION_TYPES),
  Provider: z.string(),
  Enabled: z.boolean(),
  CreateTime: timeString,
  UpdateTime: timeString,
};
export const identityProviderListItemOutput = z.object({ ...listItemFields, AttributeMappings: z.array(f.attributeMappingOutput) });
export const accountIdentityProviderOutput = z.object({ ...listItemFields, UserPoolUid: z.string(), UserPoolName: z.string() });

export const poolRef = { UserPoolUid: uid() };

/**
 * The most connections one ListIdentityProviders{OAuth,OIDC,SAML} page holds: each item is bounded
 * by its schema (about 170 KB at every list and string at its maximum, IdpMetadata left out), so a
 * page is at most about 3.4 MB however large the pool.
 */
export const CONNECTION_PAGE_MAX = 20;
/** Paging of the whole-connection lists, an extension: upstream's request has none. */
export const connectionPaging = {
  PageNumber: pagingInput.PageNumber,
  PageSize: z.number().int().min(1).max(CONNECTION_PAGE_MAX).default(CONNECTION_PAGE_MAX),
};
export const connectionRef = { ...poolRef, ConnectionUid: uid() };
export const connectionType = z.enum(CONNECTION_TYPES);
/** Upstream's list filter; EipId as everywhere accepts only "" (no connection has one). */
export const listFilter = z
  .object({
    Name: z.string().max(128).describe("a substring, case-insensitively"),
    ConnectionType: connectionType,
    ExcludeConnectionType: connectionType,
    EipId: f.eipId,
  })
  .partial()
  .optional();

export const createIdentityProviderInput = z.object({ ...poolRef, ...requiredFields, ...optionalFields, ...createOnlyFields });
export const updateIdentityProviderInput = z.object({ ...connectionRef, ...z.object(requiredFields).partial().shape, ...optionalFields });
