// The signing keys of each pool's OpenID Provider (sql/028): made on first use, sealed at rest,
// rotated by `keys rotate-signing`, published until the tokens they signed have expired.
//
// - Algorithms: ES256 (the default for ID tokens and JWT access tokens) and RS256 (for relying
//   parties that only take RS256, the algorithm OpenID Connect assumes when a client names none). A
//   pool gets both on first use; the JWK Thumbprint (RFC 7638) is the kid.
// - Sealed: the private JWK's JSON under the master key (secret-box.ts), associated data naming the
//   row, declared for `keys rotate-master` (sealedSigningKeys below, listed in src/families.ts). The
//   private half leaves this module only in poolSigningJwks' answer, which goes to oidc-provider's
//   `jwks` option; no view, log line or CLI output carries it.
// - Concurrency: one current key per pool and algorithm (a partial unique index); concurrent first
//   uses on one instance share one generation, and across instances the losers' insert does nothing.
// - Rotation: the current keys stop signing at once and stay published for PUBLISHED_AFTER_RETIREMENT
//   (the longest ID token lifetime a client may set, 30 days, plus 5 minutes of clock skew), so every
//   token they signed still verifies. Past that window the JWKS leaves them out at once, and
//   housekeeping deletes them a day later (signingKeyPurges, listed in src/families.ts).
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";
import type { AppDeps } from "../deps.js";
import type { SecretBox } from "../platform/crypto/secret-box.js";
import { DAY_MS, PURGE_BATCH, type PurgeRule, type SealedSource } from "../platform/db/declarations.js";
import { LIFETIMES } from "../oauth-credentials/rules.js";
import { ACCESS_TOKEN_LIFETIME_SECONDS } from "../oauth-credentials/client-policy.js";
import { jsonb } from "../user-pools/queries.js";
import { findParentPool, parentPool, poolNotFound } from "../user-pools/parent.js";
import * as q from "./key-queries.js";
import type { SigningAlg } from "./key-tables.js";

type Deps = Pick<AppDeps, "db" | "secretBox" | "clock">;

/** Current first: oidc-provider signs with the first key of an algorithm it finds. */
export const SIGNING_ALGS: readonly SigningAlg[] = ["ES256", "RS256"];
const CLOCK_SKEW_SECONDS = 300;
/** How long a retired key stays published: the longest token it can have signed, plus skew. */
export const PUBLISHED_AFTER_RETIREMENT_SECONDS = Math.max(LIFETIMES.idToken.max, ACCESS_TOKEN_LIFETIME_SECONDS) + CLOCK_SKEW_SECONDS;

/** A private JWK as oidc-provider's `jwks` option takes it. */
export type SigningJwk = JWK & { kid: string; alg: SigningAlg; use: "sig" };

const aad = (r: { account_id: string; user_pool_uid: string; kid: string }) => `pool_signing_key:${r.account_id}:${r.user_pool_uid}:${r.kid}`;

interface NewKey {
  kid: string;
  alg: SigningAlg;
  publicJwk: JWK;
  privateJwk: JWK;
}

async function generate(alg: SigningAlg): Promise<NewKey> {
  const pair = await generateKeyPair(alg, { extractable: true, ...(alg === "RS256" && { modulusLength: 2048 }) });
  const publicJwk = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(publicJwk, "sha256");
  return { kid, alg, publicJwk: { ...publicJwk, kid, alg, use: "sig" }, privateJwk: await exportJWK(pair.privateKey) };
}

function rowOf(box: SecretBox, accountId: string, poolUid: string, k: NewKey, now: Date) {
  const sealed = box.seal(JSON.stringify(k.privateJwk), aad({ account_id: accountId, user_pool_uid: poolUid, kid: k.kid }));
  return {
    account_id: accountId, user_pool_uid: poolUid, kid: k.kid, alg: k.alg, public_jwk: jsonb(k.publicJwk),
    private_key_sealed: sealed.blob, private_key_key_id: sealed.keyId, created_at: now,
  };
}

// One generation per pool at a time on this instance; keyed by database handle, so each instance
// (and each test app) has its own.
const inFlight = new WeakMap<object, Map<string, Promise<q.SigningKeyRow[]>>>();

async function ensureKeys(deps: Deps, accountId: string, poolUid: string): Promise<q.SigningKeyRow[]> {
  const rows = await q.publishedKeys(deps.db, accountId, poolUid, deps.clock.now());
  if (SIGNING_ALGS.every((alg) => rows.some((r) => r.alg === alg && r.retired_at === null))) return rows;
  let flights = inFlight.get(deps.db);
  if (!flights) inFlight.set(deps.db, (flights = new Map()));
  const key = `${accountId}/${poolUid}`;
  let flight = flights.get(key);
  if (!flight) {
    flight = (async () => {
      if (!(await findParentPool(deps.db, accountId, poolUid, "read"))) throw poolNotFound(poolUid);
      const missing = SIGNING_ALGS.filter((alg) => !rows.some((r) => r.alg === alg && r.retired_at === null));
      const now = deps.clock.now();
      for (const k of await Promise.all(missing.map(generate))) await q.insertCurrentKey(deps.db, rowOf(deps.secretBox, accountId, poolUid, k, now));
      return q.publishedKeys(deps.db, accountId, poolUid, deps.clock.now());
    })().finally(() => flights.delete(key));
    flights.set(key, flight);
  }
  return flight;
}

/**
 * The pool's private JWK set for oidc-provider's `jwks` option: the current keys first (ES256, then
 * RS256), then retired keys still in their window, which it publishes but does not sign with. Creates
 * the pool's keys on first use. NotFound for a pool that does not exist.
 */
export async function poolSigningJwks(deps: Deps, accountId: string, poolUid: string): Promise<{ keys: SigningJwk[] }> {
  const rows = await ensureKeys(deps, accountId, poolUid);
  const ordered = [...rows].sort((a, b) => Number(a.retired_at !== null) - Number(b.retired_at !== null) || SIGNING_ALGS.indexOf(a.alg) - SIGNING_ALGS.indexOf(b.alg));
  return {
    keys: ordered.map((r) => {
      const privateJwk = JSON.parse(deps.secretBox.open({ keyId: r.private_key_key_id, blob: r.private_key_sealed }, aad(r))) as JWK;
      return { ...privateJwk, kid: r.kid, alg: r.alg, use: "sig" as const };
    }),
  };
}

/** What an operator may see of a pool's keys: never the private half. */
export interface SigningKeyInfo {
  kid: string;
  alg: SigningAlg;
  createdAt: Date;
  retiredAt: Date | null;
  publishUntil: Date | null;
  publicJwk: JWK;
}

export async function poolSigningKeys(deps: Pick<Deps, "db" | "clock">, accountId: string, poolUid: string): Promise<SigningKeyInfo[]> {
  const rows = await q.publishedKeys(deps.db, accountId, poolUid, deps.clock.now());
  return rows.map((r) => ({ kid: r.kid, alg: r.alg, createdAt: r.created_at, retiredAt: r.retired_at, publishUntil: r.publish_until, publicJwk: r.public_jwk }));
}

/**
 * New current keys for every algorithm; the previous ones sign nothing more and stay published for
 * PUBLISHED_AFTER_RETIREMENT_SECONDS. Keys are made before the transaction, so no lock waits on RSA.
 */
export async function rotatePoolSigningKey(deps: Deps, accountId: string, poolUid: string) {
  const fresh = await Promise.all(SIGNING_ALGS.map(generate));
  const now = deps.clock.now();
  const publishUntil = new Date(now.getTime() + PUBLISHED_AFTER_RETIREMENT_SECONDS * 1000);
  return deps.db.transaction().execute(async (trx) => {
    // KEY SHARE: the pool cannot be deleted under the rotation; concurrent rotations queue on the keys.
    await parentPool(trx, accountId, poolUid, "share");
    const retired = await q.retireCurrentKeys(trx, accountId, poolUid, SIGNING_ALGS, now, publishUntil);
    for (const k of fresh) await q.insertCurrentKey(trx, rowOf(deps.secretBox, accountId, poolUid, k, now));
    return { current: fresh.map((k) => ({ kid: k.kid, alg: k.alg })), retired: retired.map((r) => ({ kid: r.kid, alg: r.alg, publishUntil: r.publish_until! })) };
  });
}

export const sealedSigningKeys: SealedSource<q.SealedKeyRow> = {
  table: "pool_signing_keys",
  column: "private_key_sealed",
  lock: q.lockKeysSealedUnder,
  label: (r) => `${r.account_id}/${r.user_pool_uid}/${r.kid}`,
  async reseal(trx, box, r) {
    const sealed = box.seal(box.open({ keyId: r.private_key_key_id, blob: r.private_key_sealed }, aad(r)), aad(r));
    await q.storeResealedKey(trx, r, { blob: sealed.blob, keyId: sealed.keyId });
  },
  countNotUnder: q.countKeysNotUnder,
};

export const signingKeyPurges: PurgeRule[] = [{ name: "retiredSigningKeys", keepMs: DAY_MS, purge: (db, cutoff) => q.deleteExpiredKeys(db, cutoff, PURGE_BATCH) }];
