// Strict replay protection (ID_REPLAY_PROTECTION=on): after the signature is verified, its value is
// recorded in the shared ledger for as long as the timestamp check would accept it, and a second
// request carrying the same signature, on any instance, is refused. Off by default: without it a
// captured request can be replayed within the skew window (ID_MAX_SKEW_SECONDS), and is refused
// with InvalidTimestamp after it.
//
// The refusal is InvalidTimestamp, not SignatureNotMatch: the signature is right, what fails is the
// request's freshness, the same fault as a stale X-Date, and the same remedy (sign it again, now).
// SignatureNotMatch would send an honest client looking for a wrong secret.
import type { MiddlewareHandler } from "hono";
import type { SignatureLedger } from "../../platform/rate-limits/signatures.js";
import type { GatewayEnv } from "./context.js";
import { ApiError } from "../../core/errors.js";
import { parseXDate } from "./signing/verify.js";

export interface ReplayOptions {
  /** undefined: replay protection is off. */
  ledger: SignatureLedger | undefined;
  maxSkewSeconds: number;
}

// Instances' clocks and the database's differ a little; keep rows this much longer than needed.
const MARGIN_MS = 60_000;

export function replayProtection(options: ReplayOptions): MiddlewareHandler<GatewayEnv> {
  const { ledger } = options;
  if (!ledger)
    return async function noReplayProtection(_c, next) {
      await next();
    };

  return async function refuseReplays(c, next) {
    const auth = c.get("auth");
    const validFor = auth.form === "query" && auth.expiresSeconds !== undefined ? auth.expiresSeconds : options.maxSkewSeconds;
    // signatureAuth has checked X-Date already, so it parses.
    const expiresAt = new Date(parseXDate(auth.xDate)! + validFor * 1000 + MARGIN_MS);
    const first = await ledger.firstUse({ accountId: c.get("principal").accountId, signature: auth.signature, expiresAt });
    if (!first) throw new ApiError("InvalidTimestamp", "this signed request was already used; sign every request afresh (a new X-Date)");
    await next();
  };
}
