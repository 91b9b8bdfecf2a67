// The OAuth credential actions (api.md §6 "OAuth credentials", seed 000). GrantType, Name, ServiceId
// and Scope are only typed here: their rules run in the service, after the credential is found, so
// errors come out in the seed's order (src/oauth-credentials/rules.ts).
import { z } from "zod";
import * as credentials from "./service.js";
import { GRANT_TYPES } from "./rules.js";
import { clientDescription, clientName, logoUri, redirectUri, redirectUriList } from "./fields.js";
import { CLIENT_TYPES } from "./tables.js";
import { pageResult, pagingInput, timeString, uid } from "../core/schemas.js";
import { defineAction } from "../core/action.js";

const credentialId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

const credentialRef = {
  CredentialId: credentialId.optional(),
  ClientApiIdentifier: z.string().trim().max(128).optional(),
};

const fields = {
  Name: clientName.optional(),
  Description: clientDescription.optional(),
  GrantType: z.string().trim().max(64).describe(`one of: ${GRANT_TYPES.join(", ")}`).optional(),
  Scope: z.string().max(4096).describe("space-separated: openid profile email phone address offline_access and the pool's CustomScopes").optional(),
  ServiceId: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe("required for single_sign_on; 0 means none").optional(),
  LogoUri: logoUri.optional(),
  RedirectUri: z
    .union([redirectUri, redirectUriList])
    .transform((v) => (Array.isArray(v) ? v : v === "" ? [] : [v]))
    .describe("one URI or an array of URIs; an empty array clears them")
    .optional(),
};

export const createCredentialInput = z.object({ UserPoolUid: uid(), ...fields, GrantType: fields.GrantType.unwrap(), Scope: fields.Scope.unwrap() });
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
  ClientType: z.enum(CLIENT_TYPES).describe("WEB keeps a secret; SPA and NATIVE are public clients without one (see the UserPoolClient actions)"),
  Scope: z.string(),
  ServiceId: z.number().int(),
  LogoUri: z.string(),
  RedirectUri: z.array(z.string()),
  SecretVersion: z.number().int().describe("0 for a public client, which has no secret"),
  SecretUpdateTime: timeString,
  CreateTime: timeString,
  UpdateTime: timeString,
});

export const oauthCredentialActions = [
  defineAction({
    name: "CreateOAuthCredential",
    access: "write",
    errors: ["NotFound", "Duplicated", "QuotaExceeded"],
    summary: "Creates an OAuth client credential in a user pool; the ClientSecret is returned this once.",
    input: createCredentialInput,
    output: z.object({ CredentialId: z.number().int(), ClientApiIdentifier: z.string(), ClientSecret: z.string() }),
    handler: (input, ctx) => credentials.createCredential(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "GetOAuthCredential",
    access: "read",
    errors: ["NotFound"],
    summary: "Returns one credential, by CredentialId or ClientApiIdentifier; never its secret.",
    input: credentialRefInput,
    output: credentialOutput,
    handler: (input, ctx) => credentials.getCredential(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "ListOAuthCredentials",
    access: "read",
    errors: ["NotFound"],
    summary: "Lists the account's credentials, optionally of one pool or grant type; newest first unless sorted otherwise.",
    input: listCredentialsInput,
    output: pageResult(credentialOutput),
    handler: (input, ctx) => credentials.listCredentials(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "UpdateOAuthCredential",
    access: "write",
    errors: ["NotFound"],
    summary:
      "Changes the given fields of a credential (omitted fields stay); ResetSecret=true returns a NewClientSecret and the old one stops working at once (InvalidParameter.ResetSecret for a public client, which has none).",
    input: updateCredentialInput,
    output: z.object({ CredentialId: z.number().int(), SecretVersion: z.number().int(), NewClientSecret: z.string().optional() }),
    handler: (input, ctx) => credentials.updateCredential(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "DeleteOAuthCredential",
    access: "write",
    errors: ["NotFound"],
    summary: "Deletes a credential, by CredentialId (or ClientApiIdentifier); its secret stops working at once.",
    input: credentialRefInput,
    output: z.object({ CredentialId: z.number().int() }),
    handler: (input, ctx) => credentials.deleteCredential(ctx.deps, ctx.accountId, input),
  }),
];
