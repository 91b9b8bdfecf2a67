// Test helpers of identity linking: a pool with an OAuth connection and a user, link parameters,
// and the cases the shared security suite runs with another account's key.
import type { TestService } from "../harness.js";
import type { CrossAccountCase } from "../security-cases.js";
import { createConnection } from "./identity-providers.js";
import { newUser } from "./users.js";
import { uniqueName } from "./user-pools.js";

/** A pool with one OAuth connection and one native user. */
export async function linkSetup(svc: TestService, poolUid?: string) {
  const { UserPoolUid, ConnectionUid } = await createConnection(svc, poolUid);
  const user = await newUser(svc, UserPoolUid);
  return { UserPoolUid, ConnectionUid, userUid: user.uid, email: user.email };
}

/** Parameters of LinkIdentityProviderToUser / DisableIdentityProviderForUser. */
export const linkParams = (s: { UserPoolUid: string; ConnectionUid: string }, userUid: string, externalId = uniqueName("ext")) => ({
  UserPoolUid: s.UserPoolUid,
  ConnectionUid: s.ConnectionUid,
  ExternalProviderUserId: externalId,
  UserPoolUserUid: userUid,
});

async function linked(svc: TestService) {
  const s = await linkSetup(svc);
  const params = linkParams(s, s.userUid);
  await svc.ok("LinkIdentityProviderToUser", params);
  return params;
}

export const crossAccountCases: CrossAccountCase[] = [
  {
    action: "LinkIdentityProviderToUser",
    params: async (svc) => {
      const s = await linkSetup(svc);
      return linkParams(s, s.userUid);
    },
  },
  { action: "DisableIdentityProviderForUser", params: linked },
  {
    action: "BatchConvertFederatedUsersToNativeUsers",
    params: async (svc) => {
      const { UserPoolUid, ConnectionUid } = await createConnection(svc);
      const user = await svc.ok("CreateUser", {
        UserPoolUid,
        Email: `${uniqueName("f")}@example.com`,
        ExternalProviderConnectionUid: ConnectionUid,
        ExternalProviderUserIdentifier: "fed-1",
      });
      return { UserPoolUid, UserUids: [user.Uid] };
    },
  },
];
