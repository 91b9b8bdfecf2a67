// An OIDC connection's issuer, checked the way a login would use it: its discovery document
// (<issuer>/.well-known/openid-configuration, OpenID Connect Discovery 1.0 §4) is fetched through the
// guarded fetcher, must name exactly this issuer (§4.3: a document answering for another issuer is
// refused) and the endpoints a login needs. What it names is stored with the connection. A refusal
// is InvalidParameter.Issuer. It names what was wrong with the URL as written and with an answer the
// issuer gave; but how idplane's network sees the host (what a name resolves to, a refused or timed
// out connection, TLS) is one generic message, the details only in the server's log: a tenant must
// not learn how internal names resolve or which internal ports answer (issue 22, item 6).
import { errors, type ApiError } from "../core/errors.js";
import type { Config } from "../platform/config.js";
import type { Logger } from "../platform/log.js";
import { fetcherFor, OutboundError } from "../platform/outbound/guarded-fetch.js";

export interface IssuerDiscovery {
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  /** "" when the issuer names none (the ID token then carries every claim). */
  user_endpoint: string;
}

const REQUIRED = ["authorization_endpoint", "token_endpoint", "jwks_uri"] as const;

export const discoveryUrlOf = (issuer: string) => `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;

const wrongIssuer = (why: string) => errors.invalidParameter("Issuer", `Issuer: ${why}`);

/** Failures that depend on how idplane's network sees the host: the same answer for each. */
const NETWORK = new Set<OutboundError["reason"]>(["address", "dns", "unreachable", "tls", "timeout"]);

function asApiError(err: OutboundError, url: string, log: Logger): ApiError {
  if (!NETWORK.has(err.reason)) return wrongIssuer(`the discovery document ${url} could not be fetched: ${err.message}`);
  log.warn({ url, reason: err.reason, detail: err.message }, "OIDC discovery failed");
  return wrongIssuer(
    `the discovery document ${url} could not be fetched: the issuer must be reachable over https at a public address and answer in time ` +
      "(the server's log has the reason)",
  );
}

/** Fetches and checks the issuer's discovery document; the endpoints it names. */
export async function discoverIssuer(outbound: Config["outbound"], log: Logger, issuer: string): Promise<IssuerDiscovery> {
  const url = discoveryUrlOf(issuer);
  const fetcher = fetcherFor(outbound);
  let body: Buffer;
  try {
    body = (await fetcher.get(url)).body;
  } catch (err) {
    if (err instanceof OutboundError) throw asApiError(err, url, log);
    throw err;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString("utf8"));
  } catch {
    throw wrongIssuer(`the discovery document ${url} is not JSON`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw wrongIssuer(`the discovery document ${url} is not a JSON object`);
  const fields = doc as Record<string, unknown>;
  if (fields["issuer"] !== issuer) {
    throw wrongIssuer(
      `the discovery document names the issuer ${JSON.stringify(String(fields["issuer"] ?? "")).slice(0, 300)}, not ${JSON.stringify(issuer)}`,
    );
  }
  const endpoint = (name: string, required: boolean): string => {
    const value = fields[name];
    if (value === undefined && !required) return "";
    if (typeof value !== "string" || value === "") throw wrongIssuer(`the discovery document has no ${name}`);
    const problem = fetcher.refusal(value);
    if (problem) throw wrongIssuer(`the discovery document's ${name} is refused: ${problem}`);
    return value;
  };
  const [authorization_endpoint, token_endpoint, jwks_uri] = REQUIRED.map((name) => endpoint(name, true)) as [string, string, string];
  return { authorization_endpoint, token_endpoint, jwks_uri, user_endpoint: endpoint("userinfo_endpoint", false) };
}
