// Test helpers of the user-pool family, shared by every family's tests: one unique name and one
// createPool, and the pool actions' cases for the shared security suite (test/control-plane/security.test.ts).
import type { TestService } from "../harness.js";
import type { CrossAccountCase } from "../security-cases.js";

let counter = 0;
/** Unique across parallel test files and runs against one database. */
export const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

/** A fresh pool in svc's account; fields override the defaults (a unique Name). */
export async function createPool(svc: TestService, fields: Record<string, unknown> = {}): Promise<string> {
  const pool = await svc.ok("CreateUserPool", { Name: uniqueName("pool"), ...fields });
  return pool.Uid as string;
}

/** A custom attribute in a fresh pool (or the given one); fields override the defaults. */
export async function createCustomAttribute(svc: TestService, userPoolUid?: string, fields: Record<string, unknown> = {}) {
  const poolUid = userPoolUid ?? (await createPool(svc));
  const attr = await svc.ok("CreateUserPoolCustomAttribute", {
    UserPoolUid: poolUid,
    Name: `a${++counter}`,
    DataType: "String",
    Mutability: "Mutable",
    ...fields,
  });
  return { UserPoolUid: poolUid, Uid: attr.Uid as string, attr };
}

const attributeRef = async (svc: TestService) => {
  const { UserPoolUid, Uid } = await createCustomAttribute(svc);
  return { UserPoolUid, Uid };
};

export const crossAccountCases: CrossAccountCase[] = [
  ...["GetUserPool", "UpdateUserPool", "UpdateEnableUserPool", "DeleteUserPool"].map((action) => ({
    action,
    params: async (svc: TestService) => {
      // Only the parameters each action declares: an unknown one is refused before the lookup.
      const extra: Record<string, Record<string, unknown>> = {
        UpdateUserPool: { Name: "renamed" },
        UpdateEnableUserPool: { Enabled: false },
      };
      return { UserPoolUid: await createPool(svc), ...extra[action] };
    },
  })),
  {
    action: "CreateUserPoolCustomAttribute",
    params: async (svc) => ({ UserPoolUid: await createPool(svc), Name: "dept", DataType: "String", Mutability: "Mutable" }),
  },
  { action: "UpdateUserPoolCustomAttribute", params: async (svc) => ({ ...(await attributeRef(svc)), Mutability: "Immutable" }) },
  { action: "DeleteUserPoolCustomAttribute", params: attributeRef },
];
