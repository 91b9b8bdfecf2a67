// An OIDC connection's issuer, checked the way a login would use it: its discovery document
// (<issuer>/.well-known/openid-configuration, OpenID Connect Discovery 1.0 §4) is fetched through the
// guarded fetcher, must name exactly this issuer (§4.3: a document answering for another issuer is
// refused) and the endpoints a login needs. What it names is stored with the connection. A refusal
// names what was wrong: InvalidParameter.Issuer for an issuer that answers wrongly or may not be
// reached by the rules (or whose name does not resolve), DownstreamServerError for one that refuses
// the connection or does not answer in time (worth a retry).
import { errors, type ApiError } from "../core/errors.js";
import type { Config } from "../platform/config.js";
import { GuardedFetcher, OutboundError } from "../platform/outbound/guarded-fetch.js";

export interface IssuerDiscovery {
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  /** "" when the issuer names none (the ID token then carries every claim). */
  user_endpoint: string;
}

const REQUIRED = ["authorization_endpoint", "token_endpoint", "jwks_uri"] as const;

/** One fetcher per configuration: its trusted CAs and address rules are read once. */
const fetchers = new WeakMap<Config["outbound"], GuardedFetcher>();
const fetcherFor = (outbound: Config["outbound"]) => fetchers.get(outbound) ?? fetchers.set(outbound, new GuardedFetcher(outbound)).get(outbound)!;

export const discoveryUrlOf = (issuer: string) => `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;

const wrongIssuer = (why: string) => errors.invalidParameter("Issuer", `Issuer: ${why}`);

function asApiError(err: OutboundError, url: string): ApiError {
  const why = `the discovery document ${url} could not be fetched: ${err.message}`;
  return err.reason === "timeout" || err.reason === "unreachable" ? errors.downstream(why) : wrongIssuer(why);
}

/** Fetches and checks the issuer's discovery document; the endpoints it names. */
export async function discoverIssuer(outbound: Config["outbound"], issuer: string): Promise<IssuerDiscovery> {
  const url = discoveryUrlOf(issuer);
  const fetcher = fetcherFor(outbound);
  let body: Buffer;
  try {
    body = (await fetcher.get(url)).body;
  } catch (err) {
    if (err instanceof OutboundError) throw asApiError(err, url);
    throw err;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString("utf8"));
  } catch {
    throw wrongIssuer(`the discovery document ${url} is not JSON`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw wrongIssuer(`the discovery document ${url} is not a JSON object`);
  const fields = doc as Record<string, unknown>;
  if (fields["issuer"] !== issuer) {
    throw wrongIssuer(`the discovery document names the issuer ${JSON.stringify(String(fields["issuer"] ?? "")).slice(0, 300)}, not ${JSON.stringify(issuer)}`);
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
