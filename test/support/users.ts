// Helpers for the users and password reset tests, and this family's cases for the shared security
// suite: every action that names a resource, with params pointing at the service's own account.
import { Service } from "@volcengine/openapi";
import type { CrossAccountCase } from "./security-cases.js";
import { REGION, VERSION, type Envelope, type TestService } from "./harness.js";

/**
 * Like svc.call, with a longer client timeout than the SDK's default 10 s: a 100-user CreateUsers
 * with passwords runs 100 scrypt hashes, which on a busy two-core machine can take longer.
 */
export async function callPatiently(svc: TestService, action: string, params: Record<string, unknown>, timeoutMs = 60_000): Promise<Envelope> {
  const client = new Service({ host: svc.host, protocol: "http:", region: REGION, serviceName: "id", accessKeyId: svc.admin.accessKeyId, secretKey: svc.admin.secretAccessKey });
  const api = client.createAPI(action, { Version: VERSION, method: "POST", contentType: "json" });
  return (await api(params, { timeout: timeoutMs } as never)) as unknown as Envelope;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

/** A fresh pool with a reset URL (and any other fields given); returns its uid. */
export async function newPool(svc: TestService, fields: Record<string, unknown> = {}): Promise<string> {
  const pool = await svc.ok("CreateUserPool", { Name: unique("pool"), ResetPasswordUrl: "https://app.example.com/reset", ...fields });
  return pool.Uid as string;
}

/** A fresh user with an email address; returns its uid and email. */
export async function newUser(svc: TestService, poolUid: string, fields: Record<string, unknown> = {}) {
  const email = `${unique("user")}@example.com`;
  const user = await svc.ok("CreateUser", { UserPoolUid: poolUid, Email: email, ...fields });
  return { uid: user.Uid as string, email };
}

/** The token of the newest queued reset email to `email`, read from the outbox like `mail list` does. */
export async function queuedResetToken(svc: TestService, email: string): Promise<string> {
  const row = await svc.deps.db
    .selectFrom("mail_outbox")
    .select("link")
    .where("account_id", "=", svc.accountId)
    .where("recipient", "=", email)
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  return new URL(row.link!).searchParams.get("token")!;
}

async function poolAndUser(svc: TestService) {
  const poolUid = await newPool(svc);
  const { uid, email } = await newUser(svc, poolUid);
  return { poolUid, uid, email };
}

export const crossAccountCases: CrossAccountCase[] = [
  { action: "CreateUser", params: async (svc) => ({ UserPoolUid: await newPool(svc), Email: "x@example.com" }) },
  { action: "CreateUsers", params: async (svc) => ({ UserPoolUid: await newPool(svc), Users: [{ Email: "x@example.com" }] }) },
  { action: "GetUser", params: async (svc) => {
    const { poolUid, uid } = await poolAndUser(svc);
    return { UserPoolUid: poolUid, UserUid: uid };
  } },
  { action: "ListUsers", params: async (svc) => ({ UserPoolUid: (await poolAndUser(svc)).poolUid }) },
  { action: "UpdateUser", params: async (svc) => {
    const { poolUid, uid } = await poolAndUser(svc);
    return { UserPoolUid: poolUid, UserUid: uid, Nickname: "changed" };
  } },
  { action: "DeleteUsers", params: async (svc) => {
    const { poolUid, uid } = await poolAndUser(svc);
    return { UserPoolUid: poolUid, UserUids: [uid] };
  } },
  { action: "ResetPassword", params: async (svc) => {
    const { poolUid, uid } = await poolAndUser(svc);
    return { UserPoolUid: poolUid, UserUid: uid };
  } },
  { action: "CompletePasswordReset", params: async (svc) => {
    // A real, usable token of svc's account: another account must still get NotFound for the pool.
    const { poolUid, uid, email } = await poolAndUser(svc);
    await svc.ok("ResetPassword", { UserPoolUid: poolUid, UserUid: uid });
    return { UserPoolUid: poolUid, Token: await queuedResetToken(svc, email), NewPassword: "a-long-enough-password" };
  } },
];
