// The zod schemas of the OIDC connection actions: actions.ts builds the API from them and service.ts takes
// its input types from them, never from actions.ts (which imports the service).
import { z } from "zod";
import { SECRET_MASK } from "./secret.js";
import { requiredText, timeString, urlString } from "../core/schemas.js";
import { clientSecret, connectionRef, poolRef, providerOptionsInput, scopesList } from "./schemas.js";
import * as f from "./upstream-schemas.js";

/** Checked again, with the address and http rules, when it is fetched. */
export const issuer = urlString(
  { http: "any", noWhitespace: true },
  "must be an absolute https URL without credentials, query or fragment",
  { required: true },
)
  .refine((s) => !s.includes("?"), "must not have a query (an issuer is https://host[/path])")
  .describe("the OpenID provider's issuer; <Issuer>/.well-known/openid-configuration is fetched and must name exactly this issuer");

export const updatableFields = {
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

export const discoveryErrors = ["NotFound", "Duplicated"] as const;
