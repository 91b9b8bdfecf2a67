// Helpers shared by the unit tests of the edge: a request as the verifier sees it, and the code of
// the ApiError a call throws. No server and no database: these files run in milliseconds, so the
// mutation run (stryker.config.mjs) can rerun them for every mutant.
//
// Rule for every file here: call nothing from src/ while vitest collects the file (at module or
// describe level), only inside tests. A mutant that makes such a call throw would stop the file from
// loading, and StrykerJS's vitest runner counts tests that never ran as a surviving mutant.
import { ApiError } from "../../../src/core/errors.js";
import type { IncomingSignedRequest } from "../../../src/control-plane/gateway/signing/verify.js";

/** A request from a URL (path and raw query as written) and headers (any case). */
export function request(method: string, url: string, headers: Record<string, string> = {}): IncomingSignedRequest {
  const q = url.indexOf("?");
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method, rawPath: q === -1 ? url : url.slice(0, q), rawQuery: q === -1 ? "" : url.slice(q + 1), header: (n) => lower.get(n) };
}

/** "OK" when fn returns, else the thrown ApiError's code (anything else is rethrown). */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
    return "OK";
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
}

/** The ApiError fn throws, for tests that check the message names what was wrong. */
export function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error("expected an ApiError, but the call returned");
}

export async function asyncErrorOf(fn: () => Promise<unknown>): Promise<ApiError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error("expected an ApiError, but the call returned");
}

export const utf8 = (s: string) => new TextEncoder().encode(s);
