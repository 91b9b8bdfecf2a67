// Resolves an access key id to its account, role and signing keys for the gateway, with a short-lived
// in-process cache (key-cache.ts): without it every signed call would pay an extra database round
// trip and an AES-GCM open. A disabled or changed key takes effect within ttlMs, an unknown id is
// remembered as unknown for negativeTtlMs, and invalidate(accessKeyId) forgets both at once: the
// NOTIFY that every key change sends (service.ts) calls it, so a key created or enabled right after
// a lookup missed it is not refused for negativeTtlMs, only until the notification arrives.
import type { Kysely } from "kysely";
import type { SecretBox } from "../platform/crypto/secret-box.js";
import type { Database } from "../platform/db/schema.js";
import { deriveSigningKey, type Bytes } from "../platform/crypto/signature-hash.js";
import { KeyCache } from "./key-cache.js";
import { findAccessKey } from "./queries.js";
import { openSecret, type Role } from "./service.js";

export interface Principal {
  accessKeyId: string;
  accountId: string;
  role: Role;
}

export interface ResolvedKey {
  principal: Principal;
  enabled: boolean;
  /** kSigning for (date, region, service), derived once a day per key. */
  signingKey(shortDate: string, region: string, service: string): Bytes;
}

export interface AccessKeyResolver {
  resolve(accessKeyId: string): Promise<ResolvedKey | undefined>;
  /** Forgets what is known about one key id (found or not), or about all of them. */
  invalidate(accessKeyId?: string): void;
}

export interface ResolverOptions {
  ttlMs?: number;
  negativeTtlMs?: number;
  maxEntries?: number;
  maxNegativeEntries?: number;
  /** Clock in ms, for tests. */
  now?: () => number;
}

/** A lookup on its way: callers of the same id share it; invalidate() marks it stale. */
interface Pending {
  promise: Promise<ResolvedKey | undefined>;
  stale: boolean;
}

export function createAccessKeyResolver(
  deps: { db: Kysely<Database>; secretBox: SecretBox },
  opts: ResolverOptions = {},
): AccessKeyResolver {
  const cache = new KeyCache<ResolvedKey>({
    ttlMs: opts.ttlMs ?? 5000,
    negativeTtlMs: opts.negativeTtlMs ?? 1000,
    maxEntries: opts.maxEntries ?? 10_000,
    maxNegativeEntries: opts.maxNegativeEntries ?? 10_000,
    ...(opts.now && { now: opts.now }),
  });
  const inFlight = new Map<string, Pending>();

  async function load(accessKeyId: string): Promise<ResolvedKey | undefined> {
    const row = await findAccessKey(deps.db, accessKeyId);
    if (!row) return undefined;
    const secret = openSecret(deps.secretBox, row);
    const signingKeys = new Map<string, Bytes>();
    const key: ResolvedKey = {
      principal: { accessKeyId, accountId: row.account_id, role: row.role },
      enabled: row.enabled,
      signingKey(shortDate, region, service) {
        const id = `${shortDate}/${region}/${service}`;
        let k = signingKeys.get(id);
        if (!k) {
          if (signingKeys.size > 8) signingKeys.clear();
          k = deriveSigningKey(secret, shortDate, region, service);
          signingKeys.set(id, k);
        }
        return k;
      },
    };
    return key;
  }

  return {
    resolve(accessKeyId) {
      const hit = cache.get(accessKeyId);
      if (hit) return Promise.resolve(hit.value);
      const running = inFlight.get(accessKeyId);
      if (running) return running.promise;
      const pending: Pending = { promise: load(accessKeyId), stale: false };
      inFlight.set(accessKeyId, pending);
      void pending.promise
        .then(
          (key) => {
            // A change announced while the row was being read: the answer may predate it, so it is
            // handed to the callers that were waiting, but not kept.
            if (!pending.stale) cache.set(accessKeyId, key);
          },
          () => {},
        )
        .finally(() => {
          if (inFlight.get(accessKeyId) === pending) inFlight.delete(accessKeyId);
        });
      return pending.promise;
    },
    invalidate(accessKeyId) {
      cache.invalidate(accessKeyId);
      for (const [id, pending] of inFlight) {
        if (accessKeyId !== undefined && id !== accessKeyId) continue;
        pending.stale = true;
        inFlight.delete(id);
      }
    },
  };
}
