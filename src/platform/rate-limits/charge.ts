// The extra charges on the caller's rate limit for work that costs far more than a plain request:
// password hashing, SAML SP key generation, CSV import rows. Handlers pay before the work starts,
// so a request that cannot pay is refused before it has done anything.
import { errors } from "../../core/errors.js";
import type { AppDeps } from "../../deps.js";
import type { RateLimitKey } from "./limiter.js";

type ChargeDeps = Pick<AppDeps, "rateLimiter" | "config">;

/**
 * Takes `cost` extra tokens from the caller's key (capped at the limiter's maxCost, so no request is
 * refused forever); throws Throttling naming `what` when the bucket cannot pay.
 */
async function charge(deps: ChargeDeps, key: RateLimitKey, tokens: number, what: string): Promise<void> {
  const { rateLimiter } = deps;
  if (!rateLimiter || tokens <= 0) return;
  const { perSecond, burst } = deps.config.rateLimit;
  const cost = Math.min(tokens, rateLimiter.maxCost);
  if (await rateLimiter.take({ accessKeyId: key.accessKeyId, accountId: key.accountId }, cost)) return;
  throw errors.throttling(
    `${what} costs ${cost} request tokens, more than the access key has left (${perSecond}/s, burst ${burst}); nothing was changed, retry later`,
    Math.max(1, Math.ceil(cost / perSecond)),
  );
}

/**
 * Charges `passwords` hashes, ID_RATE_LIMIT_TOKENS_PER_PASSWORD tokens each, on top of the request's
 * own token. One scrypt costs about 500 times a plain signed request's CPU, a weight no bucket size
 * could carry; the default weight of 3 is the largest at which a full CreateUsers (1 + 3 × 100
 * tokens) still fits the default burst of 400. Isolation between tenants comes from the fair hash
 * queue; this makes hashing count in the budget.
 */
export function chargePasswordHashing(deps: ChargeDeps, key: RateLimitKey, passwords: number): Promise<void> {
  const n = Math.max(0, passwords);
  return charge(deps, key, n * deps.config.rateLimit.tokensPerPassword, `hashing ${n} password${n === 1 ? "" : "s"}`);
}

/**
 * Charges one SAML SP key pair, ID_RATE_LIMIT_TOKENS_PER_KEY_PAIR tokens (default 10): an RSA-2048
 * key costs about three to five scrypt hashes of CPU on the reference machine (its time varies with
 * the primes found), so 10 is a little over three passwords' 3 tokens each.
 */
export function chargeKeyGeneration(deps: ChargeDeps, key: RateLimitKey): Promise<void> {
  return charge(deps, key, deps.config.rateLimit.tokensPerKeyPair, "making a SAML SP key pair");
}

/**
 * Charges a CSV import by its rows: one token per ID_RATE_LIMIT_CSV_ROWS_PER_TOKEN rows (default 100,
 * rounded up), so a 10,000-row import pays 100 tokens rather than the one of a plain request. Each
 * row is a parse, a validation and an insert: about what a plain signed request costs the server.
 */
export function chargeCsvRows(deps: ChargeDeps, key: RateLimitKey, rows: number): Promise<void> {
  const per = deps.config.rateLimit.csvRowsPerToken;
  if (per === 0 || rows <= 0) return Promise.resolve();
  return charge(deps, key, Math.ceil(rows / per), `importing ${rows} CSV row${rows === 1 ? "" : "s"}`);
}
