// Resolves an access key id to its account, role and signing keys for the gateway, with a short-lived
// in-process cache: without it every signed call would pay an extra database round trip and an
// AES-GCM open. A disabled or changed key takes effect within ttlMs, or at once in this process
// through invalidate() (the CLI's NOTIFY reaches it where Postgres is shared).
import type { Kysely } from "kysely";
import type { SecretBox } from "../crypto/secret-box.js";
import type { Database } from "../db/schema.js";
import { deriveSigningKey, type Bytes } from "../crypto/signature-hash.js";
import { findAccessKey } from "./queries.js";
import { openSecret, type Role } from "./service.js";

/** The NOTIFY channel on which a changed key's id is announced, so servers drop their cached copy. */
export const ACCESS_KEY_CHANNEL = "idplane_access_keys";

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

interface Entry {
  key: ResolvedKey | undefined;
  expiresAt: number;
}

export interface AccessKeyResolver {
  resolve(accessKeyId: string): Promise<ResolvedKey | undefined>;
  invalidate(accessKeyId?: string): void;
}

export function createAccessKeyResolver(
  deps: { db: Kysely<Database>; secretBox: SecretBox },
  opts: { ttlMs?: number; negativeTtlMs?: number; maxEntries?: number } = {},
): AccessKeyResolver {
  const ttlMs = opts.ttlMs ?? 5000;
  const negativeTtlMs = opts.negativeTtlMs ?? 1000;
  const maxEntries = opts.maxEntries ?? 10_000;
  const cache = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<ResolvedKey | undefined>>();

  async function load(accessKeyId: string): Promise<ResolvedKey | undefined> {
    const row = await findAccessKey(deps.db, accessKeyId);
    const now = Date.now();
    if (cache.size >= maxEntries) cache.clear();
    if (!row) {
      cache.set(accessKeyId, { key: undefined, expiresAt: now + negativeTtlMs });
      return undefined;
    }
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
    cache.set(accessKeyId, { key, expiresAt: now + ttlMs });
    return key;
  }

  return {
    resolve(accessKeyId) {
      const hit = cache.get(accessKeyId);
      if (hit && hit.expiresAt > Date.now()) return Promise.resolve(hit.key);
      let pending = inFlight.get(accessKeyId);
      if (!pending) {
        pending = load(accessKeyId).finally(() => inFlight.delete(accessKeyId));
        inFlight.set(accessKeyId, pending);
      }
      return pending;
    },
    invalidate(accessKeyId) {
      if (accessKeyId === undefined) cache.clear();
      else cache.delete(accessKeyId);
    },
  };
}
