// Schema pieces shared by several families' actions: identifiers, paging, the {Message} result, and
// the string rules (URLs, scopes, email addresses) more than one family uses. Each is defined once here.
import { z } from "zod";
import { isPlainEmail, MAX_EMAIL_LENGTH } from "./email.js";
import { MAX_URL_LENGTH, SECURE_WEB_URL, urlProblem, type UrlRule } from "./url.js";

/** A required, non-empty identifier (uids are opaque strings to callers). */
export const uid = () => z.string().trim().min(1).max(128);

/** A required, non-empty, trimmed text. */
export const requiredText = (max: number) => z.string().trim().min(1).max(max);

export const pagingInput = {
  PageNumber: z.number().int().min(1).max(1_000_000).default(1),
  PageSize: z.number().int().min(1).max(100).default(10),
};

export function pageResult<T extends z.ZodType>(item: T) {
  return z.object({
    Data: z.array(item),
    PageNumber: z.number().int(),
    PageSize: z.number().int(),
    TotalCount: z.number().int(),
  });
}

export const messageResult = z.object({ Message: z.string() });

/** RFC 3339 UTC time as the API prints it. */
export const timeString = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

/**
 * A URL field checked by a rule of url.ts; `message` is the field's fixed error text. `required`
 * makes "" a MissingParameter instead of an invalid URL.
 */
export function urlString(rule: UrlRule, message: string, opts: { required?: boolean } = {}) {
  const base = z.string().trim();
  return (opts.required ? base.min(1) : base).max(MAX_URL_LENGTH).refine((s) => urlProblem(s, rule) === undefined, message);
}

/**
 * An absolute https URL without credentials or fragment; plain http only on a loopback host, by the
 * redirect-URI rule (a reset link carries its token in the query, readable by anyone on the path).
 */
export const secureWebUrl = urlString(
  SECURE_WEB_URL,
  "must be an absolute https URL without credentials or fragment (http only on localhost, 127.0.0.1 or [::1])",
);

/** RFC 6749 scope-token: printable ASCII without space, '"' or '\\'. */
export const scopeToken = z
  .string()
  .regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/, "a scope is 1-128 printable characters without spaces, quotes or backslashes");

/** A list of scope tokens without repeats. */
export const scopeList = (max: number) =>
  z
    .array(scopeToken)
    .max(max)
    .refine((a) => new Set(a).size === a.length, "scopes must not repeat");

/**
 * An email address, or "" for none (absent on create and reset, cleared on update). A plain
 * addr-spec only (src/core/email.ts): a display name, a list or quoting could name another mailbox.
 */
export const emailOrEmpty = z
  .string()
  .trim()
  .max(MAX_EMAIL_LENGTH)
  .refine(
    (s) => s === "" || isPlainEmail(s),
    "must be a plain email address such as name@example.com (no display name, list, quotes or spaces)",
  );
