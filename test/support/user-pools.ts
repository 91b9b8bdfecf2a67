// Test helpers of the user-pool family, shared by every family's tests: one unique name and one
// createPool, and the pool actions' cases for the shared security suite (test/security.test.ts).
import type { TestService } from "./harness.js";
import type { CrossAccountCase } from "./security-cases.js";

let counter = 0;
/** Unique across parallel test files and runs against one database. */
export const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

/** A fresh pool in svc's account; fields override the defaults (a unique Name). */
export async function createPool(svc: TestService, fields: Record<string, unknown> = {}): Promise<string> {
  const pool = await svc.ok("CreateUserPool", { Name: uniqueName("pool"), ...fields });
  return pool.Uid as string;
}

export const crossAccountCases: CrossAccountCase[] = ["GetUserPool", "UpdateUserPool", "UpdateEnableUserPool", "DeleteUserPool"].map((action) => ({
  action,
  params: async (svc) => {
    // Only the parameters each action declares: an unknown one is refused before the lookup.
    const extra: Record<string, Record<string, unknown>> = { UpdateUserPool: { Name: "renamed" }, UpdateEnableUserPool: { Enabled: false } };
    return { UserPoolUid: await createPool(svc), ...extra[action] };
  },
}));
