// Test helpers of the custom-domain family: a unique domain name, a pool with a domain, and the cases
// the shared security suite runs with another account's key.
import type { TestService } from "../harness.js";
import type { CrossAccountCase } from "../security-cases.js";
import { createPool, uniqueName } from "./user-pools.js";

/** Unique across test files, runs and accounts (a domain is unique in the whole service). */
export const uniqueDomain = (prefix = "login") => `${uniqueName(prefix).toLowerCase()}.example.com`;

/** A fresh pool in svc's account (or the given one) with a fresh domain. */
export async function createDomain(svc: TestService, userPoolUid?: string, fields: Record<string, unknown> = {}) {
  const UserPoolUid = userPoolUid ?? (await createPool(svc));
  const domain = await svc.ok("CreateUserPoolDomain", { UserPoolUid, Domain: uniqueDomain(), ...fields });
  return { UserPoolUid, Domain: domain.Domain as string, domain };
}

const ref = async (svc: TestService) => {
  const { UserPoolUid, Domain } = await createDomain(svc);
  return { UserPoolUid, Domain };
};

export const crossAccountCases: CrossAccountCase[] = [
  { action: "CreateUserPoolDomain", params: async (svc) => ({ UserPoolUid: await createPool(svc), Domain: uniqueDomain() }) },
  { action: "GetUserPoolDomain", params: ref },
  { action: "UpdateUserPoolDomain", params: async (svc) => ({ ...(await ref(svc)), CertificateId: "cert-2" }) },
  { action: "DeleteUserPoolDomain", params: ref },
  { action: "ListUserPoolDomainOperations", params: async (svc) => ({ UserPoolUid: (await ref(svc)).UserPoolUid }) },
];
