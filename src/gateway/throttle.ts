// The per-access-key rate limit: a Hono middleware after signatureAuth (the principal is known
// there, and unsigned floods are refused before they cost a token or a query), and the extra charge
// of password hashing that handlers pay before they hash. The limiter leases tokens from the shared
// bucket in Postgres in small batches (src/rate-limits/limiter.ts), so most requests pass without
// touching the database. A rate of 0 turns throttling off.
import type { MiddlewareHandler } from "hono";
import type { AppDeps } from "../deps.js";
import type { RateLimiter, RateLimitKey } from "../rate-limits/limiter.js";
import type { GatewayEnv } from "./context.js";
import { errors } from "./errors.js";

export interface ThrottleOptions {
  /** undefined: throttling is off. */
  limiter: RateLimiter | undefined;
  ratePerSecond: number;
  burst: number;
}

export function throttle(options: ThrottleOptions): MiddlewareHandler<GatewayEnv> {
  const { limiter } = options;
  if (!limiter) return async function noThrottle(_c, next) {
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

/**
 * Charges `passwords` hashes to the caller's key, ID_RATE_LIMIT_TOKENS_PER_PASSWORD tokens each, on
 * top of the request's own token; throws Throttling when the bucket cannot pay. Handlers call it
 * before any hashing or write, so a refused request has done nothing. One scrypt costs about 500
 * times a plain signed request's CPU, a weight no bucket size could carry; the default weight of 3 is
 * the largest at which a full CreateUsers (1 + 3 × 100 tokens) still fits the default burst of 400.
 * Isolation between tenants comes from the fair hash queue; this makes hashing count in the budget.
 */
export async function chargePasswordHashing(deps: Pick<AppDeps, "rateLimiter" | "config">, key: RateLimitKey, passwords: number): Promise<void> {
  const { rateLimiter } = deps;
  const { tokensPerPassword, perSecond, burst } = deps.config.rateLimit;
  if (!rateLimiter || passwords <= 0 || tokensPerPassword === 0) return;
  const cost = Math.min(passwords * tokensPerPassword, rateLimiter.maxCost);
  if (await rateLimiter.take({ accessKeyId: key.accessKeyId, accountId: key.accountId }, cost)) return;
  throw errors.throttling(
    `hashing ${passwords} password${passwords === 1 ? "" : "s"} costs ${cost} request tokens, more than the access key has left ` +
      `(${perSecond}/s, burst ${burst}); nothing was changed, retry later`,
    Math.max(1, Math.ceil(cost / perSecond)),
  );
}
