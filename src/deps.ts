// What the application needs at run time, built once by main.ts (or a test harness) and handed to
// the app and to every action handler. Nothing below actions/ sees HTTP; everything sees these.
import type { Kysely } from "kysely";
import type { Config } from "./platform/config.js";
import type { SecretBox } from "./platform/crypto/secret-box.js";
import type { Database } from "./platform/db/schema.js";
import type { AccessKeyResolver } from "./access-keys/resolver.js";
import type { Logger } from "./platform/log.js";
import { createRateLimiter, type RateLimiter } from "./platform/rate-limits/limiter.js";
import { createHashQueue, type HashQueue } from "./users/hash-queue.js";

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface AppDeps {
  config: Config;
  db: Kysely<Database>;
  secretBox: SecretBox;
  accessKeys: AccessKeyResolver;
  log: Logger;
  clock: Clock;
  /** The per-access-key token bucket (src/control-plane/gateway/throttle.ts and hashing handlers); undefined: off. */
  rateLimiter: RateLimiter | undefined;
  /** Every password hash and verification goes through it: fair across accounts (issue 10). */
  hashQueue: HashQueue;
}

/** The guards of shared capacity, one set per process (or per test server): built from the config. */
export function createLimits(config: Config, db: Kysely<Database>): Pick<AppDeps, "rateLimiter" | "hashQueue"> {
  const rate = config.rateLimit;
  return {
    rateLimiter: rate.perSecond > 0 ? createRateLimiter(db, { ratePerSecond: rate.perSecond, burst: rate.burst }) : undefined,
    hashQueue: createHashQueue({ concurrency: config.passwordHashConcurrency }),
  };
}
