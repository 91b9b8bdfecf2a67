// Signature verification (docs/spec/signing.md), independent of HTTP framework and storage: parse the
// Authorization header or presigned query, check the clock, then check the HMAC over every canonical
// variant the official SDKs can produce. Throws ApiError with the catalog's codes.
import { ApiError } from "../../../core/errors.js";
import { canonicalHost, canonicalPaths, canonicalQueries, headerValueVariants, parseQuery, type QueryPair } from "./canonical.js";
import { constantTimeEqual, hmacHex, sha256Hex, type Bytes } from "../../../platform/crypto/signature-hash.js";

const ALGORITHM = "HMAC-SHA256";
const EMPTY_SHA256 = sha256Hex("");
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;
const AUTHORIZATION_FIELDS = new Set(["Credential", "SignedHeaders", "Signature"]);
/**
 * Presigned parameters the signature binds without listing them: X-Credential (key and scope) and
 * X-Date enter the string to sign, X-SignedHeaders the canonical request, X-Algorithm has one
 * allowed value, X-SignedQueries decides what the canonical query holds (change it and the HMAC
 * changes), and X-Signature is the signature itself.
 */
const BOUND_BY_CONSTRUCTION = new Set(["X-Algorithm", "X-Credential", "X-Date", "X-SignedHeaders", "X-SignedQueries", "X-Signature"]);

export interface IncomingSignedRequest {
  /** decoded query pairs, when the caller already parsed them */
  query?: QueryPair[];
  method: string;
  /** path exactly as received, without query */
  rawPath: string;
  /** query exactly as received, without the leading `?` */
  rawQuery: string;
  /** header lookup by lower-case name */
  header(name: string): string | undefined;
}

export interface ParsedAuth {
  form: "header" | "query";
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
  xDate: string;
  signedHeaders: string[];
  signature: string;
  /** decoded query pairs, in wire order */
  query: QueryPair[];
  /** query form: the pairs the signature covers (X-SignedQueries, or all but X-Signature) */
  signedQuery: QueryPair[];
  expiresSeconds: number | undefined;
  notSignBody: boolean;
}

const fail = (code: string, message: string) => new ApiError(code, message);
const queryValue = (pairs: QueryPair[], name: string) => pairs.find((q) => q.nameText === name)?.valueText;

function parseCredential(value: string) {
  const parts = value.split("/");
  if (parts.length !== 5 || parts[4] !== "request" || !parts[0] || !/^\d{8}$/.test(parts[1]!) || !parts[2] || !parts[3]) {
    throw fail("InvalidAuthorization", "Credential must be <AccessKeyId>/<YYYYMMDD>/<region>/<service>/request");
  }
  return { accessKeyId: parts[0], shortDate: parts[1]!, region: parts[2], service: parts[3] };
}

function parseSignature(sig: string | undefined): string {
  if (!sig || !/^[0-9a-fA-F]{64}$/.test(sig)) throw fail("InvalidAuthorization", "Signature must be 64 hexadecimal characters");
  return sig.toLowerCase();
}

function parseSignedHeaders(value: string | undefined): string[] {
  if (value === undefined) throw fail("InvalidAuthorization", "SignedHeaders is missing");
  const names = value === "" ? [] : value.split(";").map((h) => h.trim().toLowerCase());
  if (names.some((n) => !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(n))) throw fail("InvalidAuthorization", "SignedHeaders is malformed");
  return names;
}

/** Reads the credentials of a request without touching its body. */
export function parseAuthentication(req: IncomingSignedRequest): ParsedAuth {
  const query = req.query ?? parseQuery(req.rawQuery);
  const authorization = req.header("authorization");
  return authorization !== undefined ? parseHeaderForm(req, authorization, query) : parseQueryForm(query);
}

/** The header form: `Authorization: HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`. */
function parseHeaderForm(req: IncomingSignedRequest, authorization: string, query: QueryPair[]): ParsedAuth {
  const space = authorization.indexOf(" ");
  if (space === -1 || authorization.slice(0, space) !== ALGORITHM) {
    throw fail("InvalidAuthorization", `Authorization must start with ${ALGORITHM}`);
  }
  const fields = new Map<string, string>();
  for (const field of authorization.slice(space + 1).split(",")) {
    const eq = field.indexOf("=");
    if (eq === -1) throw fail("InvalidAuthorization", "Authorization fields must be Name=Value");
    const name = field.slice(0, eq).trim();
    // Exactly Credential, SignedHeaders and Signature, once each: anything else is a malformed or
    // doubled header, and guessing which part was meant is how signatures get confused.
    if (!AUTHORIZATION_FIELDS.has(name) || fields.has(name))
      throw fail("InvalidAuthorization", `Authorization has an unexpected or repeated field ${JSON.stringify(name.slice(0, 32))}`);
    fields.set(name, field.slice(eq + 1).trim());
  }
  const credential = fields.get("Credential");
  if (!credential) throw fail("InvalidAuthorization", "Authorization has no Credential");
  const signedHeaders = parseSignedHeaders(fields.get("SignedHeaders"));
  if (!signedHeaders.includes("x-date")) throw fail("InvalidAuthorization", "SignedHeaders must include x-date");
  return {
    form: "header",
    ...parseCredential(credential),
    xDate: req.header("x-date") ?? "",
    signedHeaders,
    signature: parseSignature(fields.get("Signature")),
    query,
    signedQuery: query,
    expiresSeconds: undefined,
    notSignBody: false,
  };
}

/** The query form (presigned URLs): X-Credential, X-Signature, ... in the query (docs/spec/signing.md §5). */
function parseQueryForm(query: QueryPair[]): ParsedAuth {
  const credential = queryValue(query, "X-Credential");
  if (credential === undefined) throw fail("MissingAuthenticationToken", "the request is not signed");
  if (queryValue(query, "X-Algorithm") !== ALGORITHM) throw fail("InvalidAuthorization", `X-Algorithm must be ${ALGORITHM}`);
  const signedQueriesParam = queryValue(query, "X-SignedQueries");
  const covered = signedQueriesParam === undefined ? undefined : new Set(signedQueriesParam.split(";"));
  const signedQuery = query.filter((p) => (covered ? covered.has(p.nameText) : p.nameText !== "X-Signature"));
  // Nothing unsigned may change what a presigned request does (docs/spec/signing.md §5): every parameter must
  // be one the signature covers, or one it binds by construction. Ignoring an unsigned X-Expires
  // would be safe only as long as nobody ever read it; refusing it is safe for good.
  if (covered) {
    for (const p of query) {
      if (!covered.has(p.nameText) && !BOUND_BY_CONSTRUCTION.has(p.nameText)) {
        throw fail(
          "InvalidAuthorization",
          `the query parameter ${JSON.stringify(p.nameText.slice(0, 64))} is not covered by the signature (X-SignedQueries)`,
        );
      }
    }
  }
  const expires = queryValue(query, "X-Expires");
  if (expires !== undefined && (!/^\d{1,7}$/.test(expires) || Number(expires) < 1 || Number(expires) > MAX_PRESIGN_SECONDS)) {
    throw fail("InvalidAuthorization", `X-Expires must be 1 to ${MAX_PRESIGN_SECONDS} seconds`);
  }
  return {
    form: "query",
    ...parseCredential(credential),
    xDate: queryValue(query, "X-Date") ?? "",
    signedHeaders: parseSignedHeaders(queryValue(query, "X-SignedHeaders") ?? ""),
    signature: parseSignature(queryValue(query, "X-Signature")),
    query,
    signedQuery,
    expiresSeconds: expires === undefined ? undefined : Number(expires),
    notSignBody: queryValue(query, "X-NotSignBody") !== undefined,
  };
}

/** Parses YYYYMMDD'T'HHMMSS'Z' strictly; undefined when malformed or not a real time. */
export function parseXDate(xDate: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(xDate);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(t);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return t;
}

export function checkTimestamp(auth: ParsedAuth, nowMs: number, maxSkewSeconds: number): void {
  const t = parseXDate(auth.xDate);
  if (t === undefined) throw fail("InvalidTimestamp", "X-Date is missing or not in the form YYYYMMDDTHHMMSSZ");
  if (t - nowMs > maxSkewSeconds * 1000) throw fail("InvalidTimestamp", "X-Date is in the future beyond the allowed clock skew");
  const validFor = auth.form === "query" && auth.expiresSeconds !== undefined ? auth.expiresSeconds : maxSkewSeconds;
  if (nowMs - t > validFor * 1000) {
    throw fail(
      "InvalidTimestamp",
      auth.form === "query" ? "the presigned request has expired" : "X-Date is outside the allowed clock skew",
    );
  }
  if (auth.xDate.slice(0, 8) !== auth.shortDate) throw fail("SignatureNotMatch", "the Credential date does not match X-Date");
}

/** Returns true when the signature matches one canonical variant of the request. */
export function verifySignature(auth: ParsedAuth, req: IncomingSignedRequest, body: Bytes, signingKey: Bytes): boolean {
  const realHash = sha256Hex(body);
  let bodyHash = realHash;
  if (auth.form === "query") bodyHash = auth.notSignBody ? EMPTY_SHA256 : realHash;
  else {
    const claimed = req.header("x-content-sha256");
    if (claimed !== undefined && claimed.trim().toLowerCase() !== realHash) return false;
  }
  const headerBlocks = canonicalHeaderBlocks(auth.signedHeaders, req);
  if (headerBlocks === undefined) return false;
  const signedHeaders = auth.signedHeaders.join(";");
  const scope = `${auth.shortDate}/${auth.region}/${auth.service}/request`;
  const tried = new Set<string>();
  for (const path of canonicalPaths(req.rawPath)) {
    for (const query of canonicalQueries(auth.signedQuery)) {
      for (const headers of headerBlocks) {
        const canonical = `${req.method.toUpperCase()}\n${path}\n${query}\n${headers}\n${signedHeaders}\n${bodyHash}`;
        if (tried.has(canonical)) continue;
        tried.add(canonical);
        const stringToSign = `${ALGORITHM}\n${auth.xDate}\n${scope}\n${sha256Hex(canonical)}`;
        if (constantTimeEqual(hmacHex(signingKey, stringToSign), auth.signature)) return true;
      }
    }
  }
  return false;
}

/** One block per header-value policy (trimmed, collapsed, as sent); undefined if a signed header is absent. */
function canonicalHeaderBlocks(names: string[], req: IncomingSignedRequest): string[] | undefined {
  // With no signed headers at all (presigned URLs) the block is a single "\n" (docs/spec/signing.md §2).
  if (names.length === 0) return ["\n"];
  const sorted = [...names].sort();
  const perHeader: [string, string, string][] = [];
  let policies = 1;
  for (const name of sorted) {
    let value = req.header(name);
    if (value === undefined) return undefined;
    if (name === "host") value = canonicalHost(value.trim());
    const variants = headerValueVariants(value);
    // Most requests have no inner whitespace runs and nothing to trim: one block is enough.
    if (variants[1] !== variants[0]) policies = Math.max(policies, 2);
    if (variants[2] !== variants[0]) policies = 3;
    perHeader.push(variants);
  }
  const blocks = new Set<string>();
  for (let policy = 0; policy < policies; policy++) {
    let block = "";
    for (let i = 0; i < sorted.length; i++) block += `${sorted[i]}:${perHeader[i]![policy]}\n`;
    blocks.add(block);
  }
  return [...blocks];
}
