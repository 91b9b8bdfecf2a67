// Test helpers of the OAuth credential family, and its cases for the shared security suite: every
// action that names a credential or a pool, pointed at a resource of the service's own account.
import type { TestService } from "../harness.js";
import type { CrossAccountCase } from "../security-cases.js";
import { createPool as createUserPool } from "./user-pools.js";

export interface CreatedCredential {
  CredentialId: number;
  ClientApiIdentifier: string;
  ClientSecret: string;
}

/** A fresh pool in svc's account (unique name), optionally with custom scopes. */
export const createPool = (svc: TestService, customScopes: string[] = []) => createUserPool(svc, { CustomScopes: customScopes });

/** A valid authorization_code credential in the pool; fields override the defaults. */
export function createCredential(svc: TestService, poolUid: string, fields: Record<string, unknown> = {}): Promise<CreatedCredential> {
  return svc.ok("CreateOAuthCredential", {
    UserPoolUid: poolUid,
    GrantType: "authorization_code",
    Scope: "openid profile",
    Name: "web app",
    RedirectUri: ["https://app.example.com/callback"],
    ...fields,
  });
}

async function freshCredential(svc: TestService): Promise<CreatedCredential & { poolUid: string }> {
  const poolUid = await createPool(svc);
  return { ...(await createCredential(svc, poolUid)), poolUid };
}

export const crossAccountCases: CrossAccountCase[] = [
  {
    action: "CreateOAuthCredential",
    params: async (svc) => ({ UserPoolUid: await createPool(svc), GrantType: "authorization_code", Scope: "openid", Name: "x" }),
  },
  { action: "GetOAuthCredential", params: async (svc) => ({ CredentialId: (await freshCredential(svc)).CredentialId }) },
  { action: "GetOAuthCredential", params: async (svc) => ({ ClientApiIdentifier: (await freshCredential(svc)).ClientApiIdentifier }) },
  { action: "ListOAuthCredentials", params: async (svc) => ({ UserPoolUid: (await freshCredential(svc)).poolUid }) },
  {
    action: "UpdateOAuthCredential",
    params: async (svc) => ({ CredentialId: (await freshCredential(svc)).CredentialId, Name: "taken over", ResetSecret: true }),
  },
  {
    action: "UpdateOAuthCredential",
    params: async (svc) => ({ ClientApiIdentifier: (await freshCredential(svc)).ClientApiIdentifier, ResetSecret: true }),
  },
  { action: "DeleteOAuthCredential", params: async (svc) => ({ CredentialId: (await freshCredential(svc)).CredentialId }) },
];
