// An independent signer for tests that must shape the wire themselves (Go-style requests, presigned
// URLs, broken signatures). Written from docs/spec/signing.md with node:crypto, sharing no code with src/, so a
// bug in the server's canonicalization cannot hide behind the same bug here.
import { createHash, createHmac } from "node:crypto";

export interface SignInput {
  method: string;
  /** path as it will be sent */
  path: string;
  /** [name, value] pairs, decoded; order kept for Go-style repeated values */
  query: [string, string][];
  /** headers that will be sent and signed (names any case) */
  headers: Record<string, string>;
  body: string | Buffer;
  accessKeyId: string;
  secretKey: string;
  region: string;
  service: string;
  xDate: string;
  /** Go: repeated values in wire order; Node: sorted */
  repeatedValues?: "wire" | "sorted";
}

/** RFC 3986 unreserved kept; every other UTF-8 byte %XX upper-case. */
export function encode(s: string): string {
  return Array.from(Buffer.from(s, "utf8"))
    .map((b) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : "%" + b.toString(16).toUpperCase().padStart(2, "0"),
    )
    .join("");
}

export const sha256hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

export function canonicalQuery(query: [string, string][], repeated: "wire" | "sorted" = "wire"): string {
  const cmp = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  const indexed = query.map((p, i) => ({ p, i }));
  indexed.sort((a, b) => cmp(a.p[0], b.p[0]) || (repeated === "sorted" ? cmp(a.p[1], b.p[1]) : a.i - b.i));
  return indexed.map(({ p }) => `${encode(p[0])}=${encode(p[1])}`).join("&");
}

export function canonicalRequest(input: SignInput): { canonical: string; signedHeaders: string } {
  const names = Object.keys(input.headers)
    .map((h) => h.toLowerCase())
    .sort();
  const lookup = Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const headerBlock = names.map((n) => `${n}:${String(lookup[n]).trim()}\n`).join("");
  const signedHeaders = names.join(";");
  const canonical = [
    input.method,
    input.path,
    canonicalQuery(input.query, input.repeatedValues),
    headerBlock,
    signedHeaders,
    sha256hex(input.body),
  ].join("\n");
  return { canonical, signedHeaders };
}

export function signature(input: SignInput, canonical: string): string {
  const shortDate = input.xDate.slice(0, 8);
  const scope = `${shortDate}/${input.region}/${input.service}/request`;
  const stringToSign = ["HMAC-SHA256", input.xDate, scope, sha256hex(canonical)].join("\n");
  const kDate = hmac(input.secretKey, shortDate);
  const kSigning = hmac(hmac(hmac(kDate, input.region), input.service), "request");
  return createHmac("sha256", kSigning).update(stringToSign).digest("hex");
}

/** Returns the Authorization header value for a header-form request. */
export function authorizationHeader(input: SignInput): string {
  const { canonical, signedHeaders } = canonicalRequest(input);
  const scope = `${input.xDate.slice(0, 8)}/${input.region}/${input.service}/request`;
  return `HMAC-SHA256 Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature(input, canonical)}`;
}

export function xDateOf(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
}

/** Builds a presigned GET query string (X-* parameters included), signed over every parameter. */
export function presignedQuery(
  input: Omit<SignInput, "headers" | "body" | "method" | "path"> & {
    expires?: number;
    method?: string;
    path?: string;
    notSignBody?: boolean;
  },
): string {
  const query: [string, string][] = [
    ...input.query,
    ["X-Algorithm", "HMAC-SHA256"],
    ["X-Credential", `${input.accessKeyId}/${input.xDate.slice(0, 8)}/${input.region}/${input.service}/request`],
    ["X-Date", input.xDate],
    // The official SDK always adds it; without it the (empty) body is signed.
    ...(input.notSignBody !== false ? ([["X-NotSignBody", ""]] as [string, string][]) : []),
    ["X-SignedHeaders", ""],
    ...(input.expires !== undefined ? ([["X-Expires", String(input.expires)]] as [string, string][]) : []),
  ];
  const signedQueries = [...new Set(query.map(([k]) => k))].sort().join(";");
  const full: SignInput = {
    ...input,
    repeatedValues: "wire",
    method: input.method ?? "GET",
    path: input.path ?? "/",
    query,
    headers: {},
    body: "",
  };
  // No signed headers: the header block is a lone "\n" (docs/spec/signing.md §2).
  const canonical = [full.method, full.path, canonicalQuery(query), "\n", "", sha256hex("")].join("\n");
  const sig = signature(full, canonical);
  const all: [string, string][] = [...query, ["X-SignedQueries", signedQueries], ["X-Signature", sig]];
  return all.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&");
}
