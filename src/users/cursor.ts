// The ListUsers NextToken: opaque to the caller, but the caller holds it and can send any text back,
// so reading it is input validation. It names the sort it belongs to, the last row's seq and its
// sort key; a token of another sort, a seq beyond bigint or a key the query could not bind is refused
// here (undefined), before any SQL runs.
import type { After, Sort } from "./list-query.js";

/** Opaque, versioned: the sort it belongs to, the last row's seq and sort key. u1 tokens (CreateTime, newest first) still read. */
export function encodeCursor(sort: Sort, seq: string, key: string | null): string {
  return Buffer.from(`u2:${sort.field}:${sort.direction}:${seq}:${Buffer.from(key ?? "").toString("base64url")}`).toString("base64url");
}

const MAX_BIGINT = 9_223_372_036_854_775_807n;
const isSeq = (s: string) => /^[1-9][0-9]{0,18}$/.test(s) && BigInt(s) <= MAX_BIGINT;

/** Where the page continues, or undefined for a token this service did not issue for this sort. */
export function decodeCursor(token: string, sort: Sort): After | undefined {
  const text = Buffer.from(token, "base64url").toString("utf8");
  const old = /^u1:([0-9]+)$/.exec(text);
  if (old) return sort.field === "CreateTime" && sort.direction === "Desc" && isSeq(old[1]!) ? { seq: old[1]!, key: "" } : undefined;
  const m = /^u2:([A-Za-z]+):(Asc|Desc):([0-9]+):([A-Za-z0-9_-]*)$/.exec(text);
  if (!m || m[1] !== sort.field || m[2] !== sort.direction || !isSeq(m[3]!)) return undefined;
  const key = Buffer.from(m[4]!, "base64url").toString("utf8");
  if (key.includes("\u0000") || (sort.field === "UpdateTime" && !/^-?[0-9]{1,18}$/.test(key))) return undefined;
  return { seq: m[3]!, key };
}
