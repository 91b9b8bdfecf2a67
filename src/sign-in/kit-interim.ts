// TEMPORARY (issue 24): local stand-ins for the sign-in kit's modules, written against their agreed
// interfaces while branch `sign-in-kit` lands them:
//   src/user-pools/locate.ts, src/oauth-credentials/client-auth.ts, src/users/sign-in.ts,
//   src/sign-in/keys.ts.
// Every import of this file is replaced by the kit's module and the file deleted before the report.
import { exportJWK, generateKeyPair, type JWK } from "jose";
import type { AppDeps } from "../deps.js";
import type { Db } from "../platform/db/types.js";
import { secretMatches } from "../oauth-credentials/secret.js";
import type { ClientType } from "../oauth-credentials/tables.js";
import { verifyPasswordFor } from "../users/password.js";

export interface LocatedPool { accountId: string; poolUid: string; enabled: boolean }

export async function locatePoolByIssuerPath(db: Db, poolUid: string): Promise<LocatedPool | undefined> {
  if (!poolUid || poolUid.length > 253) return undefined;
  const row = await db.selectFrom("user_pools").select(["account_id", "uid", "enabled"]).where("uid", "=", poolUid).executeTakeFirst();
  return row && { accountId: String(row.account_id), poolUid: row.uid, enabled: row.enabled };
}

export async function locatePoolByHost(db: Db, host: string): Promise<(LocatedPool & { domain: string }) | undefined> {
  const domain = host.trim().toLowerCase().replace(/:\d*$/, "").replace(/\.$/, "");
  if (!domain || domain.length > 253) return undefined;
  const row = await db
    .selectFrom("user_pool_domains as d")
    .innerJoin("user_pools as p", (j) => j.onRef("p.account_id", "=", "d.account_id").onRef("p.uid", "=", "d.user_pool_uid"))
    .select(["p.account_id", "p.uid", "p.enabled", "d.domain"])
    .where("d.domain", "=", domain)
    .where("d.status", "=", "ACTIVE")
    .executeTakeFirst();
  return row && { accountId: String(row.account_id), poolUid: row.uid, enabled: row.enabled, domain: row.domain };
}

export interface SignInClient {
  clientId: string;
  name: string;
  type: ClientType | "CREDENTIAL";
  grantType: "authorization_code" | "single_sign_on";
  confidential: boolean;
  redirectUris: string[];
  logoutUris: string[];
  scopes: string[];
  logoUri: string;
  tokenLifetimes: { idTokenSeconds: number; refreshRotation: boolean; refreshIdleSeconds?: number; refreshCombinedSeconds?: number };
  skipConsent: boolean;
  enabled: boolean;
}

type Deps = Pick<AppDeps, "db">;

export async function findSignInClient(deps: Deps, accountId: string, poolUid: string, clientId: string): Promise<SignInClient | undefined> {
  if (!clientId || clientId.length > 253) return undefined;
  const r = await deps.db.selectFrom("oauth_credentials").selectAll()
    .where("account_id", "=", accountId).where("user_pool_uid", "=", poolUid).where("client_api_identifier", "=", clientId)
    .executeTakeFirst();
  if (!r) return undefined;
  return {
    clientId: r.client_api_identifier,
    name: r.name,
    type: r.client_type,
    grantType: r.grant_type,
    confidential: r.secret_hash !== null,
    redirectUris: r.redirect_uris,
    logoutUris: r.allowed_logout_urls,
    scopes: r.scopes,
    logoUri: r.logo_uri ?? "",
    tokenLifetimes: {
      idTokenSeconds: r.id_token_lifetime_seconds,
      refreshRotation: r.refresh_token_rotation,
      ...(r.refresh_token_has_idle_lifetime && { refreshIdleSeconds: r.refresh_token_idle_lifetime_seconds }),
      ...(r.refresh_token_has_combined_lifetime && { refreshCombinedSeconds: r.refresh_token_combined_lifetime_seconds }),
    },
    skipConsent: r.skip_consent_enabled,
    enabled: true,
  };
}

export async function verifyClientSecret(deps: Deps, accountId: string, poolUid: string, clientId: string, secret: string): Promise<boolean> {
  const r = await deps.db.selectFrom("oauth_credentials").select("secret_hash")
    .where("account_id", "=", accountId).where("user_pool_uid", "=", poolUid).where("client_api_identifier", "=", clientId)
    .executeTakeFirst();
  return secretMatches(secret, r?.secret_hash ?? undefined);
}

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

export async function claimsForUser(deps: Deps, accountId: string, poolUid: string, userUid: string, scopes: string[]): Promise<Record<string, unknown> | undefined> {
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
