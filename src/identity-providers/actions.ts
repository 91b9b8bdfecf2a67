// The OAuth identity provider ("connection") actions (api.md §6 "OAuth identity providers"), with
// upstream's fields (schemas of the newer ones in fields.ts).
import { z } from "zod";
import * as idps from "./service.js";
import { SECRET_MASK } from "./secret.js";
import { identityProviderView } from "./view.js";
import type { IdentityProviderRow } from "./queries.js";
import { AUTO_LINKING, CONNECTION_TYPES, type ConnectionType } from "./tables.js";
import { messageResult, pageResult, pagingInput, requiredText, scopeList, timeString, uid, urlString } from "../core/schemas.js";
import { defineAction } from "../core/action.js";
import * as f from "./fields.js";

/** An endpoint the server calls or sends browsers to: https, or http only on a loopback host. */
const endpointUrl = urlString(
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

const requiredFields = {
  Name: requiredText(128),
  ClientId: requiredText(256),
  AuthorizationEndpoint: endpointUrl,
  TokenEndpoint: endpointUrl,
  UserEndpoint: endpointUrl,
  IdAttribute: requiredText(128),
};

const optionalFields = {
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
const createOnlyFields = {
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

const listItemFields = {
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
const connectionPaging = {
  PageNumber: pagingInput.PageNumber,
  PageSize: z.number().int().min(1).max(CONNECTION_PAGE_MAX).default(CONNECTION_PAGE_MAX),
};
export const connectionRef = { ...poolRef, ConnectionUid: uid() };
const connectionType = z.enum(CONNECTION_TYPES);
/** Upstream's list filter; EipId as everywhere accepts only "" (no connection has one). */
export const listFilter = z
  .object({ Name: z.string().max(128).describe("a substring, case-insensitively"), ConnectionType: connectionType, ExcludeConnectionType: connectionType, EipId: f.eipId })
  .partial()
  .optional();

export const createIdentityProviderInput = z.object({ ...poolRef, ...requiredFields, ...optionalFields, ...createOnlyFields });
export const updateIdentityProviderInput = z.object({ ...connectionRef, ...z.object(requiredFields).partial().shape, ...optionalFields });

export const deleteAction = (name: string, type: ConnectionType | undefined, summary: string) =>
  defineAction({
    name,
    access: "write",
    errors: ["NotFound"],
    summary,
    input: z.object(connectionRef),
    output: messageResult,
    handler: async (input, ctx) => {
      await idps.deleteIdentityProvider(ctx.deps, ctx.accountId, input, type);
      return { Message: `identity provider ${input.ConnectionUid} deleted` };
    },
  });

const listSummary = (type: ConnectionType, get: string) =>
  `Returns the pool's ${type} connections, newest first, each as ${get} answers it` +
  (type === "SAML" ? " but for IdpMetadata, answered \"\" (ask the Get for it)" : "") +
  `; pages of at most ${CONNECTION_PAGE_MAX} (PageNumber, PageSize; upstream has no paging), TotalCount says how many there are.`;

/**
 * Get<Kind> and List<Kind>s of one connection type: one connection, or a page of the pool's, whole
 * but for IdpMetadata (listSummary). `view` builds the result from a row and the public base URL.
 */
export function connectionReadActions<O extends z.ZodType>(type: ConnectionType, kind: string, output: O, view: (row: IdentityProviderRow, publicBaseUrl: string) => z.input<O>) {
  return [
    defineAction({
      name: `GetIdentityProvider${kind}`,
      access: "read",
      errors: ["NotFound"],
      summary: `Returns one ${type} connection; secrets are never part of it (ClientSecret is masked).`,
      input: z.object(connectionRef),
      output,
      handler: async (input, ctx) => view(await idps.findConnection(ctx.deps, ctx.accountId, input, type), ctx.deps.config.publicBaseUrl),
    }),
    defineAction({
      name: `ListIdentityProviders${kind}`,
      access: "read",
      errors: ["NotFound"],
      summary: listSummary(type, `GetIdentityProvider${kind}`),
      input: z.object({ ...poolRef, ...connectionPaging }),
      output: pageResult(output),
      handler: (input, ctx) => idps.listConnectionsOfType(ctx.deps, ctx.accountId, input, type, (row) => view(row, ctx.deps.config.publicBaseUrl)),
    }),
  ];
}

export const identityProviderActions = [
  defineAction({
    name: "CreateIdentityProviderOAuth",
    access: "write",
    errors: ["NotFound", "Duplicated", "QuotaExceeded"],
    summary: "Creates an OAuth 2.0 connection in a user pool; Name is unique in the pool; ClientSecret is stored encrypted.",
    input: createIdentityProviderInput,
    output: identityProviderOutput,
    handler: ({ UserPoolUid, ...fields }, ctx) => idps.createIdentityProvider(ctx.deps, ctx.accountId, UserPoolUid, fields),
  }),
  defineAction({
    name: "GetIdentityProviderOAuth",
    access: "read",
    errors: ["NotFound"],
    summary: "Returns one OAuth connection; ClientSecret is masked.",
    input: z.object(connectionRef),
    output: identityProviderOutput,
    handler: (input, ctx) => idps.getIdentityProvider(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "UpdateIdentityProviderOAuth",
    access: "write",
    errors: ["NotFound", "Duplicated"],
    summary:
      "Changes the given fields of an OAuth connection; omitted fields stay, ProviderOptions merges field by field, " +
      "ScopesList replaces the list, and the secret changes only with a non-empty ClientSecret.",
    input: updateIdentityProviderInput,
    output: identityProviderOutput,
    handler: ({ UserPoolUid, ConnectionUid, ...fields }, ctx) =>
      idps.updateIdentityProvider(ctx.deps, ctx.accountId, { UserPoolUid, ConnectionUid }, fields),
  }),
  deleteAction("DeleteIdentityProviderOAuth", "OAUTH", "Deletes an OAuth connection."),
  deleteAction("DeleteIdentityProvider", undefined, "Deletes a connection of any type."),
  defineAction({
    name: "ListIdentityProvidersOAuth",
    access: "read",
    errors: ["NotFound"],
    summary: listSummary("OAUTH", "GetIdentityProviderOAuth"),
    input: z.object({ ...poolRef, ...connectionPaging }),
    output: pageResult(identityProviderOutput),
    handler: (input, ctx) => idps.listConnectionsOfType(ctx.deps, ctx.accountId, input, "OAUTH", identityProviderView),
  }),
  defineAction({
    name: "ListIdentityProviders",
    access: "read",
    errors: ["NotFound"],
    summary: "Lists the pool's connections of every type, newest first; Filter.Name (substring), ConnectionType and ExcludeConnectionType narrow it.",
    input: z.object({ ...poolRef, ...pagingInput, Filter: listFilter }),
    output: pageResult(identityProviderListItemOutput),
    handler: (input, ctx) => idps.listIdentityProviders(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "ListAllIdentityProviders",
    access: "read",
    errors: [],
    accountWide: true,
    summary: "Lists the connections of every pool of the account, newest first, with each one's UserPoolUid and UserPoolName; the same Filter as ListIdentityProviders.",
    input: z.object({ ...pagingInput, Filter: listFilter }),
    output: pageResult(accountIdentityProviderOutput),
    handler: (input, ctx) => idps.listAccountIdentityProviders(ctx.deps, ctx.accountId, input),
  }),
];
