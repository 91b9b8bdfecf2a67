// The extra charge of password hashing on the caller's rate limit: handlers pay it before they hash,
// so a request that cannot pay is refused before it has done anything.
import { errors } from "../../core/errors.js";
import type { AppDeps } from "../../deps.js";
import type { RateLimitKey } from "./limiter.js";

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
