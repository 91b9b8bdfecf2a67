// Cases for the shared security suite of the group CSV and MAU actions (src/groups-csv/,
// src/user-pool-maus/): params naming the service's own pool.
import type { CrossAccountCase } from "../security-cases.js";
import { createPool } from "./user-pools.js";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

export const crossAccountCases: CrossAccountCase[] = [
  { action: "GetUserGroupsCsvTemplate", params: async (svc) => ({ UserPoolUid: await createPool(svc) }) },
  {
    action: "CreateUserGroupsCsv",
    params: async (svc) => ({
      UserPoolUid: await createPool(svc),
      UserIdentifierType: "Uid",
      UserGroupsCsvB64: b64("UserIdentifier,GroupName\nu,g\n"),
    }),
  },
  { action: "GetUserPoolMaus", params: async (svc) => ({ UserPoolUids: [await createPool(svc)] }) },
];
