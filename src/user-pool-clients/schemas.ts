// The zod schemas of the UserPoolClient actions: actions.ts builds the API from them and service.ts takes
// its input types from them, never from actions.ts (which imports the service).
import { z } from "zod";
import { pagingInput, requiredText, timeString, uid } from "../core/schemas.js";
import {
  clientDescription,
  clientName,
  idTokenLifetime,
  logoUri,
  originList,
  redirectUriList,
  refreshTokenLifetime,
} from "../oauth-credentials/client-schemas.js";
import { CLIENT_TYPES } from "../oauth-credentials/tables.js";

export const poolRef = { UserPoolUid: uid() };
export const clientRef = {
  ...poolRef,
  ClientUid: uid().describe("the client's Uid, which is also its OAuth client_id (OAuthCredential's ClientApiIdentifier)"),
};
export const clientType = z
  .enum(CLIENT_TYPES)
  .describe("WEB: a server-side application, which gets a secret; SPA, NATIVE: public clients, without one");

/** SkipConsentEnabled skips the consent page; the other three are stored and shown only (docs/api/user-pool-clients.md). */
export const switches = {
  DevelopmentModeEnabled: z.boolean().optional(),
  DismissLoginPageEnabled: z.boolean().optional(),
  SkipConsentEnabled: z.boolean().optional(),
  DeviceFlowEnabled: z.boolean().optional(),
};

export const callbackUrls = redirectUriList.describe("where sign-ins may return to; the same list as OAuthCredential's RedirectUri");

export const createUserPoolClientInput = z.object({
  ...poolRef,
  Name: requiredText(128),
  ClientType: clientType,
  Description: clientDescription.optional(),
  LogoUri: logoUri.optional(),
  AllowedCallbackUrls: callbackUrls.optional(),
  ...switches,
});

// Upstream spells the input LifeTimeSeconds and the output LifetimeSeconds; names are matched
// case-insensitively, so either works.
export const idTokenInput = z.object({ LifeTimeSeconds: idTokenLifetime }).partial();
export const refreshTokenInput = z
  .object({
    Rotation: z.boolean(),
    HasIdleLifetime: z.boolean(),
    IdleLifetimeSeconds: refreshTokenLifetime,
    HasCombinedLifetime: z.boolean(),
    CombinedLifetimeSeconds: refreshTokenLifetime,
  })
  .partial();

export const updateUserPoolClientInput = z.object({
  ...clientRef,
  Name: clientName.optional(),
  Description: clientDescription.optional(),
  LogoUri: logoUri.optional(),
  AllowedCallbackUrls: callbackUrls.optional(),
  AllowedLogoutUrls: redirectUriList.describe("where a sign-out may return to").optional(),
  AllowedWebOrigins: originList.optional(),
  AllowedCors: originList.optional(),
  IdToken: idTokenInput.optional(),
  RefreshToken: refreshTokenInput
    .describe("merged field by field; an idle lifetime may not exceed the combined one while both are on")
    .optional(),
  ...switches,
  ResetSecret: z.boolean().describe("true: a new ClientSecret, returned this once; the old one stops working at once").optional(),
});

export const listUserPoolClientsInput = z.object({
  ...poolRef,
  ...pagingInput,
  Filter: z
    .object({
      ClientTypes: z.array(z.enum(CLIENT_TYPES)).max(CLIENT_TYPES.length).describe("any of these types"),
      Name: z.string().max(128).describe("a substring, case-insensitively"),
      Description: z.string().max(1024).describe("a substring, case-insensitively"),
    })
    .partial()
    .optional(),
  SortField: z.enum(["CreateTime", "UpdateTime", "Name"]).default("CreateTime"),
  SortDirection: z.enum(["Asc", "Desc"]).optional(),
});

export const listItemFields = {
  Uid: z.string(),
  Name: z.string(),
  ClientType: z.enum(CLIENT_TYPES),
  Description: z.string(),
  LogoUri: z.string(),
  CreateTime: timeString,
  UpdateTime: timeString,
};

export const userPoolClientOutput = z.object({
  ...listItemFields,
  ClientSecret: z
    .string()
    .describe('the secret itself only from Create and ResetSecret; "******" for a stored one, "" for a public client'),
  AllowedCallbackUrls: z.array(z.string()),
  AllowedLogoutUrls: z.array(z.string()),
  AllowedWebOrigins: z.array(z.string()),
  AllowedCors: z.array(z.string()),
  IdToken: z.object({ LifetimeSeconds: z.number().int() }),
  RefreshToken: refreshTokenInput.required(),
  LoginPageUrl: z.string(),
  DevelopmentModeEnabled: z.boolean(),
  DismissLoginPageEnabled: z.boolean(),
  SkipConsentEnabled: z.boolean(),
  DeviceFlowEnabled: z.boolean(),
});
