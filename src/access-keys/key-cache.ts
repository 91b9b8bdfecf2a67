// The access-key resolver's memory, two bounded LRU caches with a lifetime (lru-cache): keys that
// were found, and ids that were not. They are separate so that a flood of distinct unknown ids (each
// one costs a query once, since a signature cannot be checked without the key) only ever evicts other
// unknown ids, never a key in use: 10,000 of them used to empty the one shared map, hot keys
// included. A repeated unknown id is answered from memory for negativeTtlMs, so it costs at most one
// query per negativeTtlMs as long as fewer than maxNegativeEntries distinct unknown ids arrive in
// that time (past that the oldest are forgotten early; the found keys are not touched).
import { LRUCache } from "lru-cache";

export interface KeyCacheOptions {
  /** Lifetime of a found key; 0 turns caching of found keys off. */
  ttlMs: number;
  /** Lifetime of a "no such key" answer; 0 turns it off. */
  negativeTtlMs: number;
  maxEntries: number;
  maxNegativeEntries: number;
  /** Clock in ms, for tests; defaults to lru-cache's (performance.now). */
  now?: () => number;
}

/** A cached answer: the key, or undefined for "no such key". */
export type CacheHit<V> = { value: V | undefined };

export class KeyCache<V extends object> {
  private readonly found: LRUCache<string, V> | undefined;
  private readonly missing: LRUCache<string, true> | undefined;

  constructor(opts: KeyCacheOptions) {
    // A given clock is read on every check (lru-cache otherwise reuses a reading for 1 ms).
    const perf = opts.now ? { perf: { now: opts.now }, ttlResolution: 0 } : undefined;
    // lru-cache reads ttl 0 as "never expires": a zero lifetime means no cache at all here.
    if (opts.ttlMs > 0) this.found = new LRUCache<string, V>({ max: opts.maxEntries, ttl: opts.ttlMs, ...perf });
    if (opts.negativeTtlMs > 0)
      this.missing = new LRUCache<string, true>({ max: opts.maxNegativeEntries, ttl: opts.negativeTtlMs, ...perf });
  }

  /** The cached answer for the id, or undefined when the database must be asked. */
  get(id: string): CacheHit<V> | undefined {
    const key = this.found?.get(id);
    if (key) return { value: key };
    if (this.missing?.get(id)) return { value: undefined };
    return undefined;
  }

  set(id: string, key: V | undefined): void {
    if (key) {
      this.missing?.delete(id);
      this.found?.set(id, key);
    } else {
      this.found?.delete(id);
      this.missing?.set(id, true);
    }
  }

  /** Forgets one id (both answers), or everything. */
  invalidate(id?: string): void {
    if (id === undefined) {
      this.found?.clear();
      this.missing?.clear();
    } else {
      this.found?.delete(id);
      this.missing?.delete(id);
    }
  }

  get size(): { found: number; missing: number } {
    return { found: this.found?.size ?? 0, missing: this.missing?.size ?? 0 };
  }
}
