// The zod schemas of the OAuthCredential actions: actions.ts builds the API from them and service.ts takes
// its input types from them, never from actions.ts (which imports the service).
import { z } from "zod";
import { GRANT_TYPES } from "./rules.js";
import { clientDescription, clientName, logoUri, redirectUri, redirectUriList } from "./client-schemas.js";
import { CLIENT_TYPES } from "./tables.js";
import { pagingInput, timeString, uid } from "../core/schemas.js";

export const credentialId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const credentialRef = {
  CredentialId: credentialId.optional(),
  ClientApiIdentifier: z.string().trim().max(128).optional(),
};

export const fields = {
  Name: clientName.optional(),
  Description: clientDescription.optional(),
  GrantType: z
    .string()
    .trim()
    .max(64)
    .describe(`one of: ${GRANT_TYPES.join(", ")}`)
    .optional(),
  Scope: z
    .string()
    .max(4096)
    .describe("space-separated: openid profile email phone address offline_access and the pool's CustomScopes")
    .optional(),
  ServiceId: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe("required for single_sign_on; 0 means none").optional(),
  LogoUri: logoUri.optional(),
  RedirectUri: z
    .union([redirectUri, redirectUriList])
    .transform((v) => (Array.isArray(v) ? v : v === "" ? [] : [v]))
    .describe("one URI or an array of URIs; an empty array clears them")
    .optional(),
};

export const createCredentialInput = z.object({
  UserPoolUid: uid(),
  ...fields,
  GrantType: fields.GrantType.unwrap(),
  Scope: fields.Scope.unwrap(),
});
export const credentialRefInput = z.object(credentialRef);
export const updateCredentialInput = z.object({ ...credentialRef, ...fields, ResetSecret: z.boolean().optional() });
export const listCredentialsInput = z.object({
  ...pagingInput,
  UserPoolUid: uid().optional(),
  GrantType: z.enum(GRANT_TYPES).optional(),
  SortField: z.enum(["CreateTime", "UpdateTime", "Name", "CredentialId"]).default("CreateTime"),
  SortDirection: z.enum(["Asc", "Desc"]).optional(),
});

export const credentialOutput = z.object({
  CredentialId: z.number().int(),
  ClientApiIdentifier: z.string(),
  UserPoolUid: z.string(),
  Name: z.string(),
  Description: z.string(),
  GrantType: z.enum(GRANT_TYPES),
  ClientType: z
    .enum(CLIENT_TYPES)
    .describe("WEB keeps a secret; SPA and NATIVE are public clients without one (see the UserPoolClient actions)"),
  Scope: z.string(),
  ServiceId: z.number().int(),
  LogoUri: z.string(),
  RedirectUri: z.array(z.string()),
  SecretVersion: z.number().int().describe("0 for a public client, which has no secret"),
  SecretUpdateTime: timeString,
  CreateTime: timeString,
  UpdateTime: timeString,
});
