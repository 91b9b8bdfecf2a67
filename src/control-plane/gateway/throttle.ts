// The per-access-key rate limit: a Hono middleware after signatureAuth (the principal is known
// there, and unsigned floods are refused before they cost a token or a query). Password hashing pays
// extra through src/platform/rate-limits/charge.ts. The limiter leases tokens from the shared
// bucket in Postgres in small batches (src/platform/rate-limits/limiter.ts), so most requests pass without
// touching the database. A rate of 0 turns throttling off.
import type { MiddlewareHandler } from "hono";
import type { RateLimiter } from "../../platform/rate-limits/limiter.js";
import type { GatewayEnv } from "./context.js";
import { errors } from "../../core/errors.js";

export interface ThrottleOptions {
  /** undefined: throttling is off. */
  limiter: RateLimiter | undefined;
  ratePerSecond: number;
  burst: number;
}

export function throttle(options: ThrottleOptions): MiddlewareHandler<GatewayEnv> {
  const { limiter } = options;
  if (!limiter)
    return async function noThrottle(_c, next) {
      await next();
    };
  const message = `the access key exceeded its request rate (${options.ratePerSecond}/s, burst ${options.burst}); retry later`;

  return async function throttleByAccessKey(c, next) {
    const { accessKeyId, accountId } = c.get("principal");
    // Clients back off and retry on 429; a second is the bucket's own time scale.
    if (!(await limiter.take({ accessKeyId, accountId }))) throw errors.throttling(message, 1);
    await next();
  };
}
