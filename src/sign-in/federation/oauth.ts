// OAuth 2.0 connections (RFC 6749 authorization code; RFC 7636 PKCE when UsePkce): the browser goes
// to the connection's AuthorizationEndpoint with our state; the code it brings back is exchanged at
// the TokenEndpoint (client_secret_basic when the connection has a secret), and the access token
// read at the UserEndpoint, whose IdAttribute is the person's id there. Both calls go through the
// guarded outbound client (src/platform/outbound/guarded-fetch.ts): the same address, size, time
// and redirect rules as discovery. The code exchange and its failures are shared with oidc.ts.
import { createHash } from "node:crypto";
import type { IdentityProviderRow } from "../../identity-providers/queries.js";
import { openClientSecret } from "../../identity-providers/secret.js";
import { fetcherFor, OutboundError } from "../../platform/outbound/guarded-fetch.js";
import type { SignInDeps } from "../provider.js";
import type { SignInContext } from "../request-info.js";
import { claimAt } from "./mapping.js";
import { FederationFailure, type FederatedProfile } from "./profile.js";
import type { BeginInput, CallbackInput, FederationProtocol } from "./protocol.js";

/** Failures of how idplane's network sees the provider: "could not be reached"; the rest is a wrong answer. */
const UNAVAILABLE = new Set<OutboundError["reason"]>(["address", "dns", "unreachable", "tls", "timeout", "status"]);

/** An outbound failure as the person's page and the log see it (the URL's path, never its query). */
export function outboundFailure(err: unknown, what: string): FederationFailure {
  if (err instanceof OutboundError)
    return new FederationFailure(UNAVAILABLE.has(err.reason) ? "provider_unavailable" : "invalid_response", `${what}: ${err.message}`);
  throw err;
}

const pkceChallenge = (verifier: string) => createHash("sha256").update(verifier, "ascii").digest("base64url");

/** The authorization request's URL: the endpoint's own query kept, ours set over it. */
export function authorizationUrl(endpoint: string, input: BeginInput, extra: Record<string, string | undefined> = {}): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new FederationFailure("provider_unavailable", "the connection's authorization endpoint is not a URL");
  }
  const c = input.connection;
  const params: Record<string, string | undefined> = {
    response_type: "code",
    client_id: c.client_id,
    redirect_uri: input.callbackUrl,
    scope: c.scopes_list.length ? c.scopes_list.join(" ") : undefined,
    state: input.state,
    ...(c.use_pkce && { code_challenge: pkceChallenge(input.codeVerifier), code_challenge_method: "S256" }),
    ...extra,
  };
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.href;
}

/** A short, printable excerpt of what a provider sent (an error code or description), for the log. */
const printable = (v: unknown, max = 200) => (typeof v === "string" ? v.slice(0, max).replace(/[^\x20-\x7e]/g, "?") : "");

/** The callback's query as the provider wrote it: an error it returned, or the code. */
export function codeFrom(c: SignInContext, expectedIssuer?: string): string {
  const error = c.req.query("error");
  if (error !== undefined) {
    const description = printable(c.req.query("error_description"));
    throw new FederationFailure(
      "provider_error",
      `the provider answered error=${printable(error, 64)}${description ? ` (${description})` : ""}`,
    );
  }
  // RFC 9207: when the provider names itself in the answer, it must be the connection's issuer.
  const iss = c.req.query("iss");
  if (expectedIssuer !== undefined && iss !== undefined && iss !== expectedIssuer)
    throw new FederationFailure("invalid_response", "the answer's iss is not the connection's issuer (RFC 9207)");
  const code = c.req.query("code");
  if (!code || code.length > 4096) throw new FederationFailure("invalid_response", "the answer has no authorization code");
  return code;
}

const json = (body: Buffer): unknown => {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** RFC 6749 §2.3.1: the id and secret form-encoded, then Basic. */
const basic = (id: string, secret: string) => {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString("base64")}`;
};

export interface TokenResponse {
  access_token: string;
  token_type: string;
  id_token?: string;
}

/** The code exchanged at the token endpoint; an OAuth error answer is a provider_error naming its `error`. */
export async function exchangeCode(
  deps: Pick<SignInDeps, "config" | "secretBox">,
  connection: IdentityProviderRow,
  input: { code: string; callbackUrl: string; codeVerifier: string },
): Promise<TokenResponse> {
  const secret = openClientSecret(deps.secretBox, connection);
  const form = new URLSearchParams({ grant_type: "authorization_code", code: input.code, redirect_uri: input.callbackUrl });
  if (connection.use_pkce) form.set("code_verifier", input.codeVerifier);
  // Without a secret the client is public (RFC 6749 §2.3): its id in the body.
  if (secret === undefined) form.set("client_id", connection.client_id);
  let res: Awaited<ReturnType<ReturnType<typeof fetcherFor>["exchange"]>>;
  try {
    res = await fetcherFor(deps.config.outbound).exchange(connection.token_endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
        ...(secret !== undefined && { authorization: basic(connection.client_id, secret) }),
      },
      body: form.toString(),
    });
  } catch (err) {
    throw outboundFailure(err, "the token endpoint");
  }
  const body = json(res.body);
  if (res.status !== 200) {
    const error = isObject(body) ? printable(body.error, 64) : "";
    if (res.status >= 500 || !error) throw new FederationFailure("provider_unavailable", `the token endpoint answered HTTP ${res.status}`);
    throw new FederationFailure("provider_error", `the token endpoint answered error=${error}`);
  }
  if (!isObject(body) || typeof body.access_token !== "string" || body.access_token === "")
    throw new FederationFailure("invalid_response", "the token endpoint's answer has no access_token");
  if (typeof body.token_type !== "string" || body.token_type.toLowerCase() !== "bearer")
    throw new FederationFailure("invalid_response", "the token endpoint's answer is not a Bearer token");
  return {
    access_token: body.access_token,
    token_type: body.token_type,
    ...(typeof body.id_token === "string" && { id_token: body.id_token }),
  };
}

/** The user endpoint's JSON object for the access token. */
export async function fetchUser(deps: Pick<SignInDeps, "config">, endpoint: string, accessToken: string): Promise<Record<string, unknown>> {
  let res: Awaited<ReturnType<ReturnType<typeof fetcherFor>["exchange"]>>;
  try {
    res = await fetcherFor(deps.config.outbound).exchange(endpoint, {
      method: "GET",
      headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
    });
  } catch (err) {
    throw outboundFailure(err, "the user endpoint");
  }
  if (res.status !== 200)
    throw new FederationFailure(
      res.status >= 500 ? "provider_unavailable" : "invalid_response",
      `the user endpoint answered HTTP ${res.status}`,
    );
  const body = json(res.body);
  if (!isObject(body)) throw new FederationFailure("invalid_response", "the user endpoint did not answer a JSON object");
  return body;
}

/** The e-mail fields of a profile: verified only when the provider said exactly so. */
export function emailOf(claims: Record<string, unknown>): Pick<FederatedProfile, "email" | "emailVerified"> {
  const email = typeof claims.email === "string" && claims.email !== "" ? claims.email : undefined;
  return email ? { email, emailVerified: claims.email_verified === true || claims.email_verified === "true" } : {};
}

export const oauthProtocol: FederationProtocol = {
  async begin(_deps, input) {
    return { redirect: authorizationUrl(input.connection.authorization_endpoint, input) };
  },

  async readState(c) {
    return { state: c.req.query("state"), binding: "cookie" };
  },

  async complete(deps, input: CallbackInput): Promise<FederatedProfile> {
    const { connection, claimed } = input;
    const code = codeFrom(input.c);
    const tokens = await exchangeCode(deps, connection, { code, callbackUrl: input.callbackUrl, codeVerifier: claimed.codeVerifier });
    if (!connection.user_endpoint) throw new FederationFailure("invalid_response", "the connection has no user endpoint");
    const claims = await fetchUser(deps, connection.user_endpoint, tokens.access_token);
    const attribute = connection.id_attribute || "sub";
    const id = claimAt(claims, attribute);
    const subject = typeof id === "string" ? id : typeof id === "number" && Number.isSafeInteger(id) ? String(id) : "";
    if (subject === "")
      throw new FederationFailure("invalid_response", `the user endpoint's answer has no ${JSON.stringify(attribute)} (IdAttribute)`);
    return { connectionUid: connection.uid, provider: "oauth", subject, ...emailOf(claims), claims };
  },
};
