// Canonical request building (docs/spec/signing.md §2-§4). Works on bytes so that any query, however it was
// escaped on the wire, decodes without throwing and re-encodes the one canonical way.

export interface QueryPair {
  /** decoded bytes of the name and value */
  name: Uint8Array;
  value: Uint8Array;
  /** the same, as text (invalid UTF-8 becomes U+FFFD) */
  nameText: string;
  valueText: string;
  /** `name=value` in canonical encoding */
  canonical: string;
}

const HEX = "0123456789ABCDEF";
const utf8Decoder = new TextDecoder("utf-8", { fatal: false });
// Components made only of unreserved characters decode and encode to themselves: the common case,
// handled without touching bytes.
const PLAIN = /^[A-Za-z0-9\-_.~]*$/;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Percent-decodes one query component; `+` is a space; a malformed `%` escape stays literal. */
export function decodeComponent(raw: string): Uint8Array {
  const bytes = Buffer.from(raw, "utf8");
  if (PLAIN.test(raw)) return bytes;
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x2b) out[n++] = 0x20;
    else if (b === 0x25 && i + 2 < bytes.length && hexValue(bytes[i + 1]!) >= 0 && hexValue(bytes[i + 2]!) >= 0) {
      out[n++] = hexValue(bytes[i + 1]!) * 16 + hexValue(bytes[i + 2]!);
      i += 2;
    } else out[n++] = b;
  }
  return out.subarray(0, n);
}

/** Keeps A-Z a-z 0-9 - _ . ~ and writes every other byte as upper-case %XX. */
export function encodeBytes(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) {
    const unreserved =
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      (b >= 0x30 && b <= 0x39) ||
      b === 0x2d ||
      b === 0x5f ||
      b === 0x2e ||
      b === 0x7e;
    s += unreserved ? String.fromCharCode(b) : "%" + HEX[b >> 4] + HEX[b & 15];
  }
  return s;
}

export const bytesToString = (b: Uint8Array): string => utf8Decoder.decode(b);

function component(raw: string): { bytes: Uint8Array; text: string; encoded: string } {
  if (PLAIN.test(raw)) return { bytes: Buffer.from(raw, "latin1"), text: raw, encoded: raw };
  const bytes = decodeComponent(raw);
  return { bytes, text: bytesToString(bytes), encoded: encodeBytes(bytes) };
}

/** Splits a raw query string (no leading `?`) into decoded pairs, in wire order. */
export function parseQuery(rawQuery: string): QueryPair[] {
  if (!rawQuery) return [];
  const pairs: QueryPair[] = [];
  for (const part of rawQuery.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const name = component(eq === -1 ? part : part.slice(0, eq));
    const value = component(eq === -1 ? "" : part.slice(eq + 1));
    pairs.push({
      name: name.bytes,
      value: value.bytes,
      nameText: name.text,
      valueText: value.text,
      canonical: `${name.encoded}=${value.encoded}`,
    });
  }
  return pairs;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * The canonical query strings a signer may have produced: names sorted by byte order; values of a
 * repeated name either in wire order (Go, Java, Python) or sorted (Node). One string when no name repeats.
 */
export function canonicalQueries(pairs: QueryPair[]): string[] {
  // Array.prototype.sort is stable: equal names keep their wire order.
  const byName = [...pairs].sort((a, b) => compareBytes(a.name, b.name));
  const wire = byName.map((p) => p.canonical).join("&");
  const hasRepeat = byName.some((p, i) => i > 0 && compareBytes(p.name, byName[i - 1]!.name) === 0);
  if (!hasRepeat) return [wire];
  const sortedValues = [...byName].sort((a, b) => compareBytes(a.name, b.name) || compareBytes(a.value, b.value));
  const sorted = sortedValues.map((p) => p.canonical).join("&");
  return sorted === wire ? [wire] : [wire, sorted];
}

/** The path as sent, and each segment decoded and re-encoded (Go, Java, Python). */
export function canonicalPaths(rawPath: string): string[] {
  const path = rawPath || "/";
  if (/^[A-Za-z0-9\-_.~/]*$/.test(path)) return [path];
  const encoded = path
    .split("/")
    .map((seg) => encodeBytes(decodeComponent(seg.replace(/\+/g, "%2B"))))
    .join("/");
  return encoded === path ? [path] : [path, encoded];
}

/** Header value under each signer's policy: [trimmed (Go, Java), runs collapsed (Node), as sent (Python)]. */
export function headerValueVariants(value: string): [string, string, string] {
  const trimmed = value.trim();
  return [trimmed, trimmed.replace(/\s+/g, " "), value];
}

/** Drops a default port from a host header value, as the Go and Java signers do. */
export function canonicalHost(host: string): string {
  return host.replace(/:(80|443)$/, "");
}
