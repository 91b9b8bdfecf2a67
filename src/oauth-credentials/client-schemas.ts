// The field schemas both faces of a client share (OAuthCredential and upstream's UserPoolClient):
// one definition of what a name, a description, a logo, a redirect URI or an origin may be, so a
// client is held to the same rules whichever API writes it.
import { z } from "zod";
import { serializedUrl } from "../core/url.js";
import { LIFETIMES, logoUriProblem, originProblem, redirectUriProblem } from "./rules.js";

/** The most URIs one list of a client holds (redirect, logout, origins). */
const MAX_URIS = 100;

function checked(problem: (s: string) => string | undefined) {
  return z.string().superRefine((s, ctx) => {
    const why = problem(s);
    if (why) ctx.addIssue({ code: "custom", message: why });
  });
}

/**
 * A redirect URI is stored in its WHATWG serialization (what a browser sends back), never as typed,
 * so a later exact comparison cannot be fooled by a spelling the parser reads differently.
 */
export const redirectUri = checked(redirectUriProblem).transform(serializedUrl);

/**
 * The most one list may hold in all (UTF-8), 16 KiB: a hundred URIs of 160 bytes. Each list is
 * answered by every Get and by ListOAuthCredentials' pages of 100, which at 100 URIs of 2,048
 * characters were 20 MB (issue 22, item 4).
 */
export const MAX_URI_LIST_BYTES = 16 * 1024;

/** A list of URIs by one rule; the whole list is replaced on update, [] clears it. */
const withinBytes = (list: string[]) => list.reduce((n, s) => n + Buffer.byteLength(s), 0) <= MAX_URI_LIST_BYTES;
const bytesMessage = `may hold ${MAX_URI_LIST_BYTES} bytes of URIs in all`;
export const uriList = (problem: (s: string) => string | undefined) =>
  z.array(checked(problem)).max(MAX_URIS).refine(withinBytes, bytesMessage);
export const redirectUriList = z
  .array(redirectUri)
  .max(MAX_URIS)
  .refine(withinBytes, bytesMessage)
  .describe("redirect URIs: https, http only on a loopback host, or a reverse-domain scheme; no fragment or '*'");
export const originList = uriList(originProblem).describe("origins, scheme://host[:port]: https, or http only on a loopback host");

export const clientName = z.string().trim().max(128);
export const clientDescription = z.string().max(1024);

export const logoUri = z
  .string()
  .trim()
  .superRefine((s, ctx) => {
    const problem = s === "" ? undefined : logoUriProblem(s);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .describe('absolute https URL; "" clears it');

const seconds = (range: { min: number; max: number }) => z.number().int().min(range.min).max(range.max);
export const idTokenLifetime = seconds(LIFETIMES.idToken).describe(`${LIFETIMES.idToken.min} to ${LIFETIMES.idToken.max} seconds`);
export const refreshTokenLifetime = seconds(LIFETIMES.refreshToken).describe(
  `${LIFETIMES.refreshToken.min} to ${LIFETIMES.refreshToken.max} seconds`,
);
