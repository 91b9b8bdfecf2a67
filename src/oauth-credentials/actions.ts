// The OAuth credential actions (docs/spec/api.md §6 "OAuth credentials", seed 000). GrantType, Name, ServiceId
// and Scope are only typed here: their rules run in the service, after the credential is found, so
// errors come out in the seed's order (src/oauth-credentials/rules.ts).
import { z } from "zod";
import * as credentials from "./service.js";
import { pageResult } from "../core/schemas.js";
import { defineAction } from "../core/action.js";
import { createCredentialInput, credentialRefInput, updateCredentialInput, listCredentialsInput, credentialOutput } from "./schemas.js";

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
