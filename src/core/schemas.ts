// Schema pieces shared by several actions: identifiers, paging, the {Message} result, and the
// string rules every family uses. Each is defined once here.
import { z } from "zod";
import { isSecureWebUrl } from "../oauth-credentials/rules.js";

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
 * An absolute https URL without credentials or fragment; plain http only on a loopback host, by the
 * redirect-URI rule (a reset link carries its token in the query, readable by anyone on the path).
 */
export const secureWebUrl = z
  .string()
  .trim()
  .max(2048)
  .refine(isSecureWebUrl, "must be an absolute https URL without credentials or fragment (http only on localhost, 127.0.0.1 or [::1])");
