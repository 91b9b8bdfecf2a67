// Test helpers of the UserPoolClient face of OAuth clients, and its cases for the shared security
// suite: every action that names a client or a pool, pointed at a resource of the service's own account.
import type { TestService } from "../harness.js";
import type { CrossAccountCase } from "../security-cases.js";
import { createPool } from "./user-pools.js";

/** A WEB client in the pool (a fresh one when none is given); fields override the defaults. Returns the Create result. */
export async function createClient(svc: TestService, poolUid?: string, fields: Record<string, unknown> = {}) {
  const UserPoolUid = poolUid ?? (await createPool(svc));
  const client = await svc.ok("CreateUserPoolClient", {
    UserPoolUid,
    Name: "shop web",
    ClientType: "WEB",
    AllowedCallbackUrls: ["https://shop.example.com/cb"],
    ...fields,
  });
  return { ...client, UserPoolUid } as { UserPoolUid: string; Uid: string; ClientSecret: string } & Record<string, any>;
}

const clientRef = async (svc: TestService) => {
  const { UserPoolUid, Uid } = await createClient(svc);
  return { UserPoolUid, ClientUid: Uid };
};

export const crossAccountCases: CrossAccountCase[] = [
  { action: "CreateUserPoolClient", params: async (svc) => ({ UserPoolUid: await createPool(svc), Name: "x", ClientType: "SPA" }) },
  { action: "GetUserPoolClient", params: clientRef },
  { action: "ListUserPoolClients", params: async (svc) => ({ UserPoolUid: (await createClient(svc)).UserPoolUid }) },
  { action: "UpdateUserPoolClient", params: async (svc) => ({ ...(await clientRef(svc)), Name: "taken over", ResetSecret: true }) },
  { action: "DeleteUserPoolClient", params: clientRef },
];
