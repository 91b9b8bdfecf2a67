// What sign-in reads about the request's origin. Forwarded headers are unsigned: anyone can send
// them, so they are believed only on a connection from a proxy the operator listed
// (ID_TRUSTED_PROXIES). From such a proxy, X-Forwarded-For names the client address (the per-address
// throttle of failed sign-ins counts it) and X-Forwarded-Proto says whether the browser used https;
// from anyone else both are ignored and the socket's peer is the client. The issuer never comes from
// a header (app.ts): the library is shown the issuer's own scheme and a validated Host whatever a
// request claims (originHeaders).
import { BlockList, isIP } from "node:net";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { Context } from "hono";
import type { HttpBindings } from "@hono/node-server";

/** The Hono environment of the sign-in sub-app: Node's raw request and response, and log fields. */
export type SignInEnv = {
  Bindings: HttpBindings;
  /** answeredBy: "idplane" when a usual request was answered beside the library (userinfo.ts, client-credentials.ts). */
  Variables: { endpoint: string; poolUid: string; origin: RequestOrigin; answeredBy: "idplane" };
};
export type SignInContext = Context<SignInEnv>;

/**
 * The OAuth answers for a pool that is gone, and for a disabled pool at the token, introspection and
 * revocation endpoints (docs/sign-in.md): app.ts gives them for a pool it located, provider.ts for a
 * token request whose pool it did not (poolNotLocated).
 */
export const POOL_GONE = { status: 404, error: "invalid_request", description: "no such user pool" } as const;
export const POOL_DISABLED_AT_CLIENT_ENDPOINTS = {
  status: 401,
  error: "invalid_client",
  description: "the user pool is disabled",
} as const;

/**
 * Token requests handed to the library without locating their pool first (app.ts): an instance
 * that located the pool before knows its account, and the client lookup every such request makes
 * reads the pool's switch. provider.ts's client source, finding no usable client, locates the pool
 * then and answers a disabled or deleted one as app.ts would have.
 */
export const poolNotLocated = new WeakSet<IncomingMessage>();

/**
 * A header as Node parsed it (duplicates of Host, Authorization, Content-Type and Content-Length
 * dropped, others joined), which is what oidc-provider reads too. Cheaper than Hono's c.req.header,
 * which builds a Fetch Headers object on first use.
 */
export function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** A request as the answers beside the library read it (userinfo.ts, client-credentials.ts). */
export interface PlainRequest {
  method: string;
  /** The request's target (path and query) as the client sent it. */
  url: string;
  header(name: string): string | undefined;
}

export interface RequestOrigin {
  /** The client's address: the socket's peer, or what a trusted proxy forwarded. */
  address: string;
  /** The scheme the browser used, when known: "https" on a TLS socket or from a trusted proxy's X-Forwarded-Proto. */
  scheme: "http" | "https" | undefined;
  /** Whether the socket's peer is a listed proxy. */
  viaTrustedProxy: boolean;
}

/** Forms of the hosted pages are small; the library bounds its own endpoints' bodies (56 KiB). */
export const FORM_LIMIT_BYTES = 16 * 1024;

export type TrustedProxies = (address: string) => boolean;

/** An IPv4 address carried in IPv6 (::ffff:a.b.c.d) is judged, and counted, as the IPv4 address it is. */
const unmapped = (address: string) => /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;

/** The matcher of ID_TRUSTED_PROXIES' entries (addresses and CIDR blocks, already validated by the config). */
export function trustedProxies(entries: string[]): TrustedProxies {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split("/") as [string, string | undefined];
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return (address) => {
    const plain = unmapped(address);
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 6 ? "ipv6" : "ipv4");
  };
}

/** One X-Forwarded-For entry as an address: "a.b.c.d", "a.b.c.d:port", "x::y", "[x::y]:port"; else undefined. */
function forwardedAddress(entry: string): string | undefined {
  const v = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
  const candidate = bracketed ? bracketed[1]! : (/^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(v)?.[1] ?? v);
  return isIP(candidate) ? unmapped(candidate) : undefined;
}

/**
 * The client behind a chain of proxies (the usual right-to-left walk): each proxy appends the peer it
 * saw, so the right-most entry that is not a trusted proxy is the first address nobody trusted can
 * have written. An entry that is no address stops the walk at the trusted hop that received it.
 */
export function originOf(
  trusted: TrustedProxies,
  socket: { remoteAddress?: string; encrypted?: boolean },
  headers: IncomingHttpHeaders,
): RequestOrigin {
  const peer = unmapped(socket.remoteAddress ?? "");
  const tls = socket.encrypted === true;
  if (!trusted(peer)) return { address: peer, scheme: tls ? "https" : undefined, viaTrustedProxy: false };
  let address = peer;
  const chain = String(headers["x-forwarded-for"] ?? "")
    .split(",")
    .filter((e) => e.trim() !== "");
  for (let i = chain.length - 1; i >= 0; i--) {
    const hop = forwardedAddress(chain[i]!);
    if (!hop) break;
    address = hop;
    if (!trusted(hop)) break;
  }
  const proto = String(headers["x-forwarded-proto"] ?? "")
    .split(",")
    .at(-1)
    ?.trim()
    .toLowerCase();
  const scheme = tls ? "https" : proto === "https" || proto === "http" ? proto : undefined;
  return { address, scheme, viaTrustedProxy: true };
}

/**
 * The headers the library builds its URLs and cookie flags from, set to the issuer's own origin:
 * oidc-provider (Koa, with proxy on) reads X-Forwarded-Proto and X-Forwarded-Host for its endpoint
 * URLs and X-Forwarded-For for ctx.ip. Whatever a client sent is replaced, so no header can move an
 * endpoint of the discovery document off the issuer.
 */
export function originHeaders(headers: IncomingHttpHeaders, issuer: string, origin: RequestOrigin) {
  const url = new URL(issuer);
  delete headers.forwarded;
  headers["x-forwarded-proto"] = url.protocol.slice(0, -1);
  headers["x-forwarded-host"] = url.host;
  headers["x-forwarded-for"] = origin.address;
}

export function clientAddressOf(c: SignInContext): string {
  return c.get("origin")?.address ?? c.env?.incoming?.socket?.remoteAddress ?? "";
}
