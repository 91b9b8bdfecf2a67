// Test helpers of the identity-provider family: a valid connection's parameters, a pool with a
// connection in it, and the cases the shared security suite runs with another account's key.
import type { TestService } from "../harness.js";
import type { CrossAccountCase } from "../security-cases.js";

import { createPool, uniqueName } from "./user-pools.js";

export { createPool, uniqueName };

/** Every required field of CreateIdentityProviderOAuth, valid, plus the given overrides. */
export function connectionParams(userPoolUid: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    UserPoolUid: userPoolUid,
    Name: uniqueName("idp"),
    ClientId: "client-123",
    AuthorizationEndpoint: "https://idp.example.com/oauth2/authorize",
    TokenEndpoint: "https://idp.example.com/oauth2/token",
    UserEndpoint: "https://idp.example.com/userinfo",
    IdAttribute: "sub",
    ...overrides,
  };
}

export async function createConnection(svc: TestService, userPoolUid?: string, overrides: Record<string, unknown> = {}) {
  const poolUid = userPoolUid ?? (await createPool(svc));
  const idp = await svc.ok("CreateIdentityProviderOAuth", connectionParams(poolUid, overrides));
  return { UserPoolUid: poolUid, ConnectionUid: idp.Uid as string, idp };
}

const ref = async (svc: TestService) => {
  const { UserPoolUid, ConnectionUid } = await createConnection(svc);
  return { UserPoolUid, ConnectionUid };
};

export const crossAccountCases: CrossAccountCase[] = [
  { action: "CreateIdentityProviderOAuth", params: async (svc) => connectionParams(await createPool(svc)) },
  { action: "GetIdentityProviderOAuth", params: ref },
  { action: "UpdateIdentityProviderOAuth", params: async (svc) => ({ ...(await ref(svc)), Name: uniqueName("renamed") }) },
  { action: "DeleteIdentityProviderOAuth", params: ref },
  { action: "DeleteIdentityProvider", params: ref },
  { action: "ListIdentityProvidersOAuth", params: async (svc) => ({ UserPoolUid: await createPool(svc) }) },
  { action: "ListIdentityProviders", params: async (svc) => ({ UserPoolUid: await createPool(svc) }) },
];
