// TEMPORARY (issue 24): local stand-ins for the sign-in kit's modules, written against their agreed
// interfaces while branch `sign-in-kit` lands them:
//   src/users/sign-in.ts, src/sign-in/keys.ts.
// Every import of this file is replaced by the kit's module and the file deleted before the report.
import { exportJWK, generateKeyPair, type JWK } from "jose";
import type { AppDeps } from "../deps.js";
import { verifyPasswordFor } from "../users/password.js";

export type PasswordResult = { ok: true; user: { uid: string } } | { ok: false; reason: "invalid" | "throttled"; retryAfterSeconds?: number };

export async function authenticatePassword(
  deps: Pick<AppDeps, "db" | "hashQueue">,
  input: { accountId: string; poolUid: string; identifier: string; password: string; clientAddress: string },
): Promise<PasswordResult> {
  const id = input.identifier.trim();
  const user = await deps.db.selectFrom("users").select(["uid", "password_hash", "user_state"])
    .where("account_id", "=", input.accountId).where("user_pool_uid", "=", input.poolUid)
    .where((eb) => eb.or([eb("email", "=", id.toLowerCase()), eb("preferred_username", "=", id), eb("phone_number", "=", id)]))
    .executeTakeFirst();
  const ok = user?.password_hash ? await verifyPasswordFor(deps.hashQueue, input.accountId, input.password, user.password_hash) : false;
  if (!ok || !user || user.user_state !== "ACTIVE") return { ok: false, reason: "invalid" };
  return { ok: true, user: { uid: user.uid } };
}

export async function recordSignIn(_deps: unknown, _input: { accountId: string; poolUid: string; userUid: string; method: string; userAgent: string }): Promise<void> {}

export async function claimsForUser(deps: Pick<AppDeps, "db">, accountId: string, poolUid: string, userUid: string, scopes: string[]): Promise<Record<string, unknown> | undefined> {
  const u = await deps.db.selectFrom("users").selectAll()
    .where("account_id", "=", accountId).where("user_pool_uid", "=", poolUid).where("uid", "=", userUid).executeTakeFirst();
  if (!u || u.user_state !== "ACTIVE") return undefined;
  const claims: Record<string, unknown> = { sub: u.uid };
  if (scopes.includes("email")) Object.assign(claims, { email: u.email ?? undefined, email_verified: u.email_verified });
  if (scopes.includes("profile")) Object.assign(claims, { name: u.name || undefined, preferred_username: u.preferred_username ?? undefined });
  if (scopes.includes("phone")) Object.assign(claims, { phone_number: u.phone_number ?? undefined, phone_number_verified: u.phone_number_verified });
  return claims;
}

const keys = new Map<string, Promise<{ keys: JWK[] }>>();
export function poolSigningJwks(_deps: unknown, accountId: string, poolUid: string): Promise<{ keys: JWK[] }> {
  const k = `${accountId}/${poolUid}`;
  let p = keys.get(k);
  if (!p) {
    p = (async () => {
      const es = await generateKeyPair("ES256", { extractable: true });
      const rs = await generateKeyPair("RS256", { extractable: true });
      return { keys: [
        { ...(await exportJWK(es.privateKey)), alg: "ES256", use: "sig", kid: `es-${poolUid.slice(0, 8)}` },
        { ...(await exportJWK(rs.privateKey)), alg: "RS256", use: "sig", kid: `rs-${poolUid.slice(0, 8)}` },
      ] };
    })();
    keys.set(k, p);
  }
  return p;
}
