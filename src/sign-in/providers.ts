// The per-pool Providers of one instance: created on first use, kept in a bounded LRU, and checked
// against the database at most every `checkMs` (default 5 s). A check reads what the provider was
// built from (the pool's custom scopes and Brand, its custom attribute names, its signing keys'
// ids) and rebuilds it only when that changed. So every instance sees a changed pool or a rotated
// key within checkMs, through any connection (PgBouncer's transaction mode included: it is a plain
// read, no LISTEN). What is read per request anyway needs no check: clients (the Client adapter
// reads our store on each lookup), users (findAccount), and whether the pool is enabled (located
// per request, or read with the request's client or token: app.ts, poolNotLocated).
//
// A Provider costs about 40 KiB and 0.3 ms to create (docs/architecture.md), so the bound
// (ID_SIGN_IN_PROVIDER_CACHE, default 1000) is about memory, not speed.
import { createHash, createHmac } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { LRUCache } from "lru-cache";
import type Provider from "oidc-provider";
import { poolSigningJwks } from "./keys.js";
import { createPoolProvider, type PoolSnapshot, type SignInDeps } from "./provider.js";
import type { JwtAccessTokens } from "./access-tokens.js";
import type { PlainRequest } from "./request-info.js";
import type { TokenAnswer } from "./client-credentials.js";

export interface PoolProvider {
  provider: Provider;
  snapshot: PoolSnapshot;
  callback: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** HMAC key of the hosted forms' CSRF tokens, derived from the pool's current private signing key. */
  csrfKey: Buffer;
  fingerprint: string;
  checkedAt: number;
  /** The client's SkipConsentEnabled as its last lookup in this provider read it. */
  skipConsent(clientId: string): boolean;
  /** The pool's JWT access tokens (access-tokens.ts): what introspection and revocation requests need. */
  accessTokens: JwtAccessTokens;
  /** Userinfo's usual request answered beside the library (userinfo.ts); undefined: the library answers. */
  usualUserinfo(req: PlainRequest): Promise<Record<string, unknown> | undefined>;
  /** The token endpoint's usual client_credentials request beside the library (client-credentials.ts); undefined: the library answers. */
  usualClientCredentials(req: PlainRequest, form: string): Promise<TokenAnswer | undefined>;
}

export interface ProviderCache {
  get(pool: { accountId: string; poolUid: string }, issuer: string): Promise<PoolProvider>;
  readonly size: number;
}

async function readSnapshot(deps: SignInDeps, accountId: string, poolUid: string, issuer: string): Promise<PoolSnapshot | undefined> {
  const [row, attributes, propagation] = await Promise.all([
    deps.db
      .selectFrom("user_pools")
      .select(["custom_scopes", "brand", "password_sign_in_enabled"])
      .where("account_id", "=", accountId)
      .where("uid", "=", poolUid)
      .executeTakeFirst(),
    deps.db
      .selectFrom("user_pool_custom_attributes")
      .select("name")
      .where("account_id", "=", accountId)
      .where("user_pool_uid", "=", poolUid)
      .orderBy("name")
      .execute(),
    deps.db
      .selectFrom("identity_providers")
      .select("claims_propagation_config")
      .where("account_id", "=", accountId)
      .where("user_pool_uid", "=", poolUid)
      .execute(),
  ]);
  if (!row) return undefined;
  // After the pool is known to exist: the keys are made on a pool's first use, and a missing pool is NotFound there.
  const jwks = await poolSigningJwks(deps, accountId, poolUid);
  return {
    accountId,
    poolUid,
    issuer,
    customScopes: row.custom_scopes,
    customAttributeNames: attributes.map((a) => a.name),
    propagatedClaimNames: [
      ...new Set(
        propagation.flatMap((p) =>
          p.claims_propagation_config?.Mode === "RULES" ? p.claims_propagation_config.ClaimRules.map((r) => r.TargetClaim) : [],
        ),
      ),
    ].sort(),
    passwordSignInEnabled: row.password_sign_in_enabled,
    brand: { name: row.brand?.Name ?? "", logoUri: row.brand?.LogoUri ?? "" },
    jwks: jwks as PoolSnapshot["jwks"],
  };
}

function fingerprintOf(s: PoolSnapshot): string {
  const kids = s.jwks.keys.map((k) => `${k.kid}`);
  return createHash("sha256")
    .update(JSON.stringify([s.customScopes, s.customAttributeNames, s.passwordSignInEnabled, s.brand, kids, s.propagatedClaimNames]))
    .digest("base64url");
}

export class PoolGoneError extends Error {}

export function createProviderCache(deps: SignInDeps, opts: { max?: number; checkMs?: number } = {}): ProviderCache {
  const checkMs = opts.checkMs ?? 5000;
  const cache = new LRUCache<string, PoolProvider>({ max: opts.max ?? 1000 });
  // One check per key at a time: a burst of requests for a cold pool builds its provider once.
  const pending = new Map<string, Promise<PoolProvider>>();

  async function refresh(key: string, pool: { accountId: string; poolUid: string }, issuer: string, current: PoolProvider | undefined) {
    const snapshot = await readSnapshot(deps, pool.accountId, pool.poolUid, issuer);
    if (!snapshot) {
      cache.delete(key);
      throw new PoolGoneError(pool.poolUid);
    }
    const fingerprint = fingerprintOf(snapshot);
    if (current && current.fingerprint === fingerprint) {
      current.checkedAt = Date.now();
      current.snapshot.brand = snapshot.brand;
      return current;
    }
    const { provider, clientRecord, accessTokens, usualUserinfo, usualClientCredentials } = await createPoolProvider(deps, snapshot);
    const first = snapshot.jwks.keys[0] ?? {};
    const entry: PoolProvider = {
      provider,
      snapshot,
      callback: provider.callback() as PoolProvider["callback"],
      csrfKey: createHmac("sha256", JSON.stringify(first)).update("idplane sign-in csrf").digest(),
      fingerprint,
      checkedAt: Date.now(),
      skipConsent: (clientId) => clientRecord(clientId)?.skipConsent ?? false,
      accessTokens,
      usualUserinfo,
      usualClientCredentials,
    };
    cache.set(key, entry);
    return entry;
  }

  return {
    get size() {
      return cache.size;
    },
    async get(pool, issuer) {
      const key = `${pool.accountId}/${pool.poolUid}|${issuer}`;
      const current = cache.get(key);
      if (current && Date.now() - current.checkedAt < checkMs) return current;
      let running = pending.get(key);
      if (!running) {
        running = refresh(key, pool, issuer, current).finally(() => pending.delete(key));
        pending.set(key, running);
      }
      return running;
    },
  };
}
