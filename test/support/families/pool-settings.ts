// Test helpers of the pool-settings families (delivery settings, tags, CSV import), and their cases
// for the shared security suite (test/control-plane/security.test.ts).
import type { TestService } from "../harness.js";
import type { CrossAccountCase } from "../security-cases.js";
import { createPool } from "./user-pools.js";

const pool = async (svc: TestService) => ({ UserPoolUid: await createPool(svc) });

export const POOL_RESOURCE_TYPE = "userpool";

/** A CSV (header first) as CreateUsersCSV takes it. */
export const csvB64 = (lines: string[]) => Buffer.from(lines.join("\n") + "\n", "utf8").toString("base64");

export const crossAccountCases: CrossAccountCase[] = [
  { action: "GetEmailService", params: pool },
  { action: "UpsertEmailService", params: async (svc) => ({ ...(await pool(svc)), Enabled: false }) },
  {
    action: "DeleteEmailService",
    params: async (svc) => {
      const p = await pool(svc);
      await svc.ok("UpsertEmailService", { ...p, Enabled: false });
      return p;
    },
  },
  { action: "GetSmsService", params: pool },
  { action: "UpdateSmsService", params: async (svc) => ({ ...(await pool(svc)), SmsAccountId: "acc-1" }) },
];

const tagged = async (svc: TestService) => {
  const UserPoolUid = await createPool(svc);
  await svc.ok("TagResources", { ResourceType: POOL_RESOURCE_TYPE, ResourceIds: [UserPoolUid], Tags: [{ Key: "env", Value: "prod" }] });
  return { ResourceType: POOL_RESOURCE_TYPE, ResourceIds: [UserPoolUid] };
};

crossAccountCases.push(
  { action: "TagResources", params: async (svc) => ({ ...(await tagged(svc)), Tags: [{ Key: "team", Value: "a" }] }) },
  { action: "UntagResources", params: async (svc) => ({ ...(await tagged(svc)), TagKeys: ["env"] }) },
  { action: "ListTagsForResources", params: tagged },
);

crossAccountCases.push(
  { action: "GetUserCSVTemplate", params: pool },
  { action: "CreateUsersCSV", params: async (svc) => ({ ...(await pool(svc)), UsersCsvB64: csvB64(["Email", "csv-x@example.com"]) }) },
);
