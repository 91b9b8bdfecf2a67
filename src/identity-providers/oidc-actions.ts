// The OIDC connection actions (upstream's Create/Get/Update/Delete IdentityProviderOIDC and
// ListIdentityProvidersOIDC). The client fields and their rules are the OAuth connection's; the
// endpoints come from the issuer's discovery document instead of the caller (oidc-discovery.ts).
import { z } from "zod";
import { defineAction } from "../core/action.js";
import { requiredText, timeString, urlString } from "../core/schemas.js";
import { clientSecret, connectionReadActions, connectionRef, deleteAction, poolRef, providerOptionsInput, scopesList } from "./actions.js";
import { oidcConnectionView } from "./federation-view.js";
import * as f from "./fields.js";
import { SECRET_MASK } from "./secret.js";
import * as oidc from "./oidc-service.js";

/** Checked again, with the address and http rules, when it is fetched. */
const issuer = urlString({ http: "any", noWhitespace: true }, "must be an absolute https URL without credentials, query or fragment", { required: true })
  .refine((s) => !s.includes("?"), "must not have a query (an issuer is https://host[/path])")
  .describe("the OpenID provider's issuer; <Issuer>/.well-known/openid-configuration is fetched and must name exactly this issuer");

const updatableFields = {
  Name: requiredText(128),
  Issuer: issuer,
  ClientId: requiredText(256),
  ClientSecret: clientSecret,
  Enabled: z.boolean(),
  UsePkce: z.boolean(),
  IsIdTokenMapping: z.boolean().describe("map the ID token's claims (true) or the userinfo endpoint's (false)"),
  ScopesList: scopesList,
  ProviderOptions: providerOptionsInput,
  AttributeMappings: f.attributeMappings.describe("replaces the whole list on update"),
  ClaimsPropagationConfig: f.claimsPropagationConfig.describe("replaced whole on update"),
  ScimProvisioning: f.scimProvisioning,
  EipId: f.eipId,
};

export const createOidcInput = z.object({
  ...poolRef,
  ...z.object(updatableFields).partial().required({ Name: true, Issuer: true, ClientId: true }).shape,
  Provider: z.string().trim().max(64).optional(),
  SoleProviderConnection: z.boolean().describe("the pool's only way to sign in; at most one connection of a pool").optional(),
  PassvaultOauth2CredentialProviderOptions: f.passvaultOptions.optional(),
});
export const updateOidcInput = z.object({ ...connectionRef, ...z.object(updatableFields).partial().shape });

export const oidcConnectionOutput = z.object({
  Uid: z.string(),
  Name: z.string(),
  Provider: z.string(),
  Enabled: z.boolean(),
  Issuer: z.string(),
  ClientId: z.string(),
  ClientSecret: z.enum([SECRET_MASK, ""]).describe('"******" when a secret is stored, "" when none; never the secret'),
  UsePkce: z.boolean(),
  IsIdTokenMapping: z.boolean(),
  ScopesList: z.array(z.string()),
  ProviderOptions: providerOptionsInput.required(),
  AttributeMappings: z.array(f.attributeMappingOutput),
  ClaimsPropagationConfig: f.claimsPropagationOutput,
  ScimProvisioning: f.scimProvisioningOutput,
  SoleProviderConnection: z.boolean(),
  EipRecord: f.eipRecordOutput,
  CreateTime: timeString,
  UpdateTime: timeString,
});

const discoveryErrors = ["NotFound", "Duplicated"] as const;

export const oidcConnectionActions = [
  defineAction({
    name: "CreateIdentityProviderOIDC",
    access: "write",
    errors: [...discoveryErrors, "QuotaExceeded"],
    summary:
      "Creates an OpenID Connect connection: the issuer's discovery document is fetched (https, guarded) and must name the same issuer, " +
      "authorization_endpoint, token_endpoint and jwks_uri; ClientSecret is stored encrypted.",
    input: createOidcInput,
    output: oidcConnectionOutput,
    handler: ({ UserPoolUid, ...fields }, ctx) => oidc.createOidcConnection(ctx.deps, ctx.accountId, UserPoolUid, fields),
  }),
  defineAction({
    name: "UpdateIdentityProviderOIDC",
    access: "write",
    errors: discoveryErrors,
    summary:
      "Changes the given fields of an OIDC connection; a changed Issuer is discovered again before it is stored; " +
      "ProviderOptions and ScimProvisioning merge field by field; the secret changes only with a non-empty ClientSecret.",
    input: updateOidcInput,
    output: oidcConnectionOutput,
    handler: ({ UserPoolUid, ConnectionUid, ...fields }, ctx) => oidc.updateOidcConnection(ctx.deps, ctx.accountId, { UserPoolUid, ConnectionUid }, fields),
  }),
  deleteAction("DeleteIdentityProviderOIDC", "OIDC", "Deletes an OIDC connection."),
  ...connectionReadActions("OIDC", "OIDC", oidcConnectionOutput, oidcConnectionView),
];
