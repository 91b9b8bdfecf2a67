// The per-access-key rate limit, shared by every instance on one database without a round trip per
// request. The bucket lives in Postgres (leaseTokens); this process leases a few tokens at a time,
// spends them locally, and asks again only when its lease is spent or has expired.
//
// Bound: at any moment each instance holds at most one lease of `leaseSize` tokens per key that the
// bucket already counted as spent, so across N instances a key is admitted at most
// burst + rate × T + N × leaseSize requests in any window of T seconds (the plain bucket's bound plus
// N leases). Leases expire after leaseTtlMs: tokens an idle instance holds are dropped rather than
// spent long after they were taken. A refused key is not asked about again until a whole lease
// could have refilled, so a flood costs one query per instance per lease interval, not per request.
//
// A request may cost more than one token (one that hashes passwords, see src/control-plane/gateway/throttle.ts).
// Such a take is all or nothing: spent from the local lease when it holds enough, otherwise asked of
// the database as one all-or-nothing lease, so a refused request has taken nothing.
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.js";
import { leaseTokens, type Lease } from "./queries.js";

export interface RateLimiterOptions {
  ratePerSecond: number;
  burst: number;
  /** Tokens per lease; default: 50 ms of the rate, between 1 and min(burst, 100). */
  leaseSize?: number;
  leaseTtlMs?: number;
  maxKeys?: number;
}

export interface RateLimitKey {
  accountId: string;
  accessKeyId: string;
}

export interface RateLimiter {
  /**
   * Spends `cost` tokens of the key (default 1), all or none: true when the request may go on. A
   * cost above maxCost is charged as maxCost, so no request is refused forever.
   */
  take(key: RateLimitKey, cost?: number): Promise<boolean>;
  readonly leaseSize: number;
  /** The most one take can cost: the bucket less one lease, which the request may already hold. */
  readonly maxCost: number;
  /** Leases asked of the database so far (for tests and the report). */
  readonly leases: number;
}

interface LocalLease {
  tokens: number;
  expiresAt: number;
  /** Set after a short lease: the shared bucket is (nearly) empty until then. */
  emptyUntil: number;
  pending: Promise<void> | undefined;
  /** Tokens the shared bucket had at bucketAt (its last answer): with the rate, an upper bound now. */
  bucketLeft: number;
  bucketAt: number;
}

/** Leases up to `want` tokens, or none when fewer than `min` (default 1) are in the bucket. */
type LeaseFn = (key: RateLimitKey, want: number, min?: number) => Promise<Lease>;

export function createRateLimiter(db: Kysely<Database>, opts: RateLimiterOptions, lease?: LeaseFn): RateLimiter {
  const { ratePerSecond: rate, burst } = opts;
  if (!(rate > 0) || !(burst >= 1)) throw new Error("a rate limiter needs a positive rate and a burst of at least 1");
  const leaseSize = opts.leaseSize ?? Math.max(1, Math.min(Math.round(rate / 20), Math.floor(burst), 100));
  const leaseTtlMs = opts.leaseTtlMs ?? 1000;
  const maxKeys = opts.maxKeys ?? 10_000;
  const maxCost = Math.max(1, Math.floor(burst) - leaseSize);
  const askDatabase: LeaseFn =
    lease ?? ((key, want, min) => leaseTokens(db, key, { ratePerSecond: rate, burst, want, ...(min !== undefined && { min }) }));
  const local = new Map<string, LocalLease>();
  let leases = 0;

  async function refill(key: RateLimitKey, entry: LocalLease): Promise<void> {
    leases++;
    const got = await askDatabase(key, leaseSize);
    const now = performance.now();
    entry.bucketLeft = got.left;
    entry.bucketAt = now;
    entry.tokens = got.granted;
    entry.expiresAt = now + leaseTtlMs;
    // Short lease: the bucket is dry. Wait until a whole lease could have refilled before asking
    // again (other instances may take it first; then this one is refused a little longer).
    if (got.granted < leaseSize) entry.emptyUntil = now + Math.min(leaseTtlMs, Math.max(1, ((leaseSize - got.left) / rate) * 1000));
  }

  function entryOf(id: string): LocalLease {
    let entry = local.get(id);
    if (!entry) {
      if (local.size >= maxKeys) {
        for (const [k, e] of local) if (!e.pending) local.delete(k);
      }
      entry = { tokens: 0, expiresAt: 0, emptyUntil: 0, pending: undefined, bucketLeft: burst, bucketAt: 0 };
      local.set(id, entry);
    }
    return entry;
  }

  /** A take of several tokens: from the local lease if it holds them all, else all or nothing from the bucket. */
  async function takeMany(key: RateLimitKey, entry: LocalLease, cost: number): Promise<boolean> {
    while (entry.pending) await entry.pending;
    let now = performance.now();
    if (entry.tokens >= cost && entry.expiresAt > now) {
      entry.tokens -= cost;
      return true;
    }
    // The bucket cannot hold more than its last answer plus what refilled since: refuse locally
    // when even that is short, so a flood of expensive requests does not cost a query each.
    if (Math.min(burst, entry.bucketLeft + ((now - entry.bucketAt) / 1000) * rate) < cost) return false;
    leases++;
    const got = await askDatabase(key, cost, cost);
    now = performance.now();
    entry.bucketLeft = got.left;
    entry.bucketAt = now;
    return got.granted >= cost;
  }

  return {
    leaseSize,
    maxCost,
    get leases() {
      return leases;
    },
    async take(key, cost = 1) {
      const entry = entryOf(key.accessKeyId);
      const tokens = Math.min(Math.max(1, Math.ceil(cost)), maxCost);
      if (tokens > 1) return takeMany(key, entry, tokens);
      // Each turn either spends a token, refuses, or waits for one lease; a lease always ends with
      // tokens to spend or emptyUntil set, so waiters make progress.
      for (;;) {
        const now = performance.now();
        if (entry.tokens > 0 && entry.expiresAt > now) {
          entry.tokens--;
          return true;
        }
        if (entry.emptyUntil > now) return false;
        // One lease in flight per key and process: concurrent requests wait for it together.
        entry.pending ??= refill(key, entry).finally(() => {
          entry.pending = undefined;
        });
        await entry.pending;
      }
    },
  };
}
