// The one way idplane fetches a URL a tenant gave it (an OIDC issuer's discovery document; a
// federated sign-in's token endpoint, user endpoint and JWKS: src/sign-in/federation/). Guarded
// because the URL is the tenant's and the network is the operator's: https only (plain http only to
// a loopback host, and only with ID_OUTBOUND_ALLOW_HTTP_LOOPBACK=on for development); every address
// connected to, after each DNS answer and each redirect, must pass the AddressPolicy (checked in the
// socket's own lookup, so a second DNS answer cannot swap in another address); a bounded number of
// redirects, each under the same rules; a size limit on the body and one time limit for the whole
// exchange. Failures are OutboundErrors naming what was wrong, never a hang.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { rootCertificates } from "node:tls";
import { AddressPolicy, isLoopbackHost } from "./addresses.js";

export interface OutboundPolicy {
  /** Addresses or CIDR blocks reachable although not public (ID_OUTBOUND_ALLOW_ADDRESSES). */
  allowedAddresses: string[];
  allowHttpLoopback: boolean;
  /** PEM of CAs trusted beside Node's bundled roots (ID_OUTBOUND_CA_FILE). */
  extraCa: string | undefined;
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
}

export type OutboundFailure = "url" | "address" | "dns" | "unreachable" | "tls" | "timeout" | "too-large" | "status" | "redirect";

export class OutboundError extends Error {
  constructor(
    readonly reason: OutboundFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface ExchangeInit {
  method: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
}

export interface OutboundResponse {
  url: string;
  status: number;
  contentType: string;
  body: Buffer;
}

/** One fetcher per configuration: its trusted CAs and address rules are read once. */
const fetchers = new WeakMap<OutboundPolicy, GuardedFetcher>();
export const fetcherFor = (policy: OutboundPolicy): GuardedFetcher =>
  fetchers.get(policy) ?? fetchers.set(policy, new GuardedFetcher(policy)).get(policy)!;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME|ALTNAME/;

export class GuardedFetcher {
  private readonly addresses: AddressPolicy;
  private readonly ca: string[] | undefined;

  constructor(private readonly policy: OutboundPolicy) {
    this.addresses = new AddressPolicy(policy.allowedAddresses);
    this.ca = policy.extraCa ? [...rootCertificates, policy.extraCa] : undefined;
  }

  /** GETs `url`, following at most maxRedirects redirects, all within one timeoutMs. */
  async get(url: string): Promise<OutboundResponse> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.policy.timeoutMs);
    try {
      let current = url;
      for (let hop = 0; ; hop++) {
        const res = await this.once(current, deadline.signal);
        if (!("location" in res)) return res;
        if (hop >= this.policy.maxRedirects) throw new OutboundError("redirect", `more than ${this.policy.maxRedirects} redirects`);
        current = res.location;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * One exchange under the same address, size and time rules, without following a redirect (a
   * redirect is an OutboundError): a token endpoint's POST, a userinfo GET with a bearer token.
   * Any status is answered with its body, for the caller to read an OAuth error from it.
   */
  async exchange(url: string, init: ExchangeInit): Promise<OutboundResponse> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.policy.timeoutMs);
    try {
      const res = await this.once(url, deadline.signal, init);
      if ("location" in res) throw new OutboundError("redirect", "the endpoint answered with a redirect");
      return res;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Why `url` would be refused (scheme, credentials, a literal address), or undefined; no DNS. */
  refusal(url: string): string | undefined {
    try {
      this.checked(url);
      return undefined;
    } catch (err) {
      if (err instanceof OutboundError) return err.message;
      throw err;
    }
  }

  /** The URL's problem under the rules, or its parsed form. */
  private checked(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new OutboundError("url", `${JSON.stringify(raw.slice(0, 200))} is not an absolute URL`);
    }
    if (url.username || url.password) throw new OutboundError("url", "a URL with credentials is refused");
    const loopback = isLoopbackHost(url.hostname);
    if (url.protocol === "http:" && !(loopback && this.policy.allowHttpLoopback)) {
      throw new OutboundError("url", `plain http is refused (${url.origin}); use https`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:")
      throw new OutboundError("url", `the scheme ${url.protocol} is refused; use https`);
    // A literal address skips DNS, so the socket's lookup never sees it: judge it here.
    const literal = url.hostname.replace(/^\[|\]$/g, "");
    if (isIP(literal)) this.refuseAddress(literal);
    return url;
  }

  private refuseAddress(address: string): void {
    const why = this.addresses.refusal(address);
    if (why) throw new OutboundError("address", why);
  }

  /** Resolves like dns.lookup, then keeps only the addresses the policy allows. */
  private readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, found: LookupAddress[]) => {
      if (err) return callback(new OutboundError("dns", `${hostname} does not resolve (${err.code ?? err.message})`), "", 0);
      const usable = found.filter((a) => this.addresses.refusal(a.address) === undefined);
      if (usable.length === 0) {
        const why = (found[0] && this.addresses.refusal(found[0].address)) ?? "no address";
        return callback(new OutboundError("address", `${hostname} resolves to ${why}`), "", 0);
      }
      // Node's happy-eyeballs connect asks for every address (all: true); a plain connect for one.
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      else callback(null, usable[0]!.address, usable[0]!.family);
    });
  };

  private once(raw: string, signal: AbortSignal, init?: ExchangeInit): Promise<OutboundResponse | { location: string }> {
    const url = this.checked(raw);
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(this.timeout());
      const send = url.protocol === "https:" ? httpsRequest : httpRequest;
      const body = init?.body === undefined ? undefined : Buffer.from(init.body, "utf8");
      const req = send(url, {
        method: init?.method ?? "GET",
        headers: {
          accept: "application/json, application/xml;q=0.9",
          "user-agent": "idplane",
          ...init?.headers,
          ...(body && { "content-length": String(body.length) }),
        },
        lookup: this.lookup,
        ...(url.protocol === "https:" && this.ca && { ca: this.ca }),
        agent: false,
      });
      const onAbort = () => req.destroy(this.timeout());
      signal.addEventListener("abort", onAbort, { once: true });
      const done = () => signal.removeEventListener("abort", onAbort);
      req.on("error", (err) => {
        done();
        reject(this.failure(err, url, signal));
      });
      req.on("response", (res) => this.read(res, url, req, done, signal, init !== undefined).then(resolve, reject));
      req.end(body);
    });
  }

  private read(
    res: IncomingMessage,
    url: URL,
    req: { destroy(e?: Error): void },
    done: () => void,
    signal: AbortSignal,
    anyStatus: boolean,
  ): Promise<OutboundResponse | { location: string }> {
    return new Promise((resolve, reject) => {
      const status = res.statusCode ?? 0;
      const finish = (fn: () => void) => {
        done();
        fn();
      };
      if (REDIRECTS.has(status)) {
        res.resume();
        const location = res.headers.location;
        if (!location) return finish(() => reject(new OutboundError("redirect", `HTTP ${status} without a Location`)));
        return finish(() => resolve({ location: new URL(location, url).toString() }));
      }
      if (!anyStatus && (status < 200 || status > 299)) {
        res.resume();
        return finish(() => reject(new OutboundError("status", `${url.origin}${url.pathname} answered HTTP ${status}`)));
      }
      const declared = Number(res.headers["content-length"] ?? 0);
      if (declared > this.policy.maxBytes) {
        req.destroy();
        return finish(() => reject(this.tooLarge()));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= this.policy.maxBytes) return void chunks.push(chunk);
        // Settled before the socket goes, so the reset it causes cannot become the reason.
        finish(() => reject(this.tooLarge()));
        req.destroy();
      });
      res.on("error", (err) => finish(() => reject(this.failure(err, url, signal))));
      res.on("end", () =>
        finish(() =>
          resolve({ url: url.toString(), status, contentType: String(res.headers["content-type"] ?? ""), body: Buffer.concat(chunks) }),
        ),
      );
    });
  }

  private timeout() {
    return new OutboundError("timeout", `no complete answer within ${this.policy.timeoutMs / 1000} s`);
  }

  private tooLarge() {
    return new OutboundError("too-large", `the answer exceeds ${this.policy.maxBytes} bytes`);
  }

  private failure(err: Error & { code?: string }, url: URL, signal: AbortSignal): OutboundError {
    if (err instanceof OutboundError) return err;
    // The deadline destroys the socket; whatever error that surfaces as, the reason is the time.
    if (signal.aborted) return this.timeout();
    if (err.code && TLS_CODES.test(err.code)) return new OutboundError("tls", `TLS with ${url.host} failed (${err.code})`);
    return new OutboundError("unreachable", `${url.host} could not be reached (${err.code ?? err.message})`);
  }
}
