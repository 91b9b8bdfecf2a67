// The sign-in audience: every pool's OpenID Provider under <ID_PUBLIC_BASE_URL path>/userpool/<Uid>/
// and on the pool's ACTIVE custom domain (by Host). Its own error handling (OAuth error JSON for the
// protocol endpoints, an HTML page for the browser's), its own not-found answer, its own request log
// (never a query string, body, cookie or header value: those hold codes, tokens, passwords and
// assertions) and its own body limit. The protocol is oidc-provider's (provider.ts); this file finds
// the pool and the issuer, and hands the raw request to the pool's provider, except two usual
// requests answered beside the library when every check the library makes passes: userinfo's
// (userinfo.ts) and the token endpoint's client_credentials grant (client-credentials.ts).
import { Hono } from "hono";
import { LRUCache } from "lru-cache";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { ENDPOINT_PATHS, issuerOf, poolPathOf } from "../user-pools/endpoints.js";
import { newRequestId } from "../core/request-id.js";
import { locatePoolByHost, locatePoolByIssuerPath } from "../user-pools/locate.js";
import { createProviderCache, PoolGoneError, type PoolProvider, type ProviderCache } from "./providers.js";
import { interactionHandlers, sendPage } from "./interactions.js";
import { federationRoutes } from "./federation/routes.js";
import { selfServiceRoutes } from "./self-service/routes.js";
import { loginPage } from "./login-page.js";
import { pickStrings } from "./pages/i18n.js";
import { errorPage } from "./pages/forms.js";
import type { SignInDeps } from "./provider.js";
import { spMetadataFor } from "./federation/saml-sp-metadata.js";
import { usualTokenHead } from "./client-credentials.js";
import { peekArrivedBody } from "./request-body.js";

import {
  FORM_LIMIT_BYTES,
  originHeaders,
  originOf,
  trustedProxies,
  headerOf,
  POOL_DISABLED_AT_CLIENT_ENDPOINTS,
  POOL_GONE,
  poolNotLocated,
  type PlainRequest,
  type SignInContext as Ctx,
  type SignInEnv as Env,
} from "./request-info.js";

/** A provider's answer posted to a callback (a SAML response with its certificates) is larger. */
const CALLBACK_LIMIT_BYTES = 256 * 1024;

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Endpoints whose usual request is answered beside the library (besideTheLibrary below). */
const BESIDE_THE_LIBRARY = new Set(["userinfo", "token"]);

/** What the answers beside the library read of a request. */
const plainRequest = (c: Ctx): PlainRequest => ({
  method: c.req.method,
  url: c.env.incoming.url ?? "",
  header: (name) => headerOf(c.env.incoming, name),
});

/** Endpoints a browser is sent to: their errors are pages, never JSON and never a redirect. */
const BROWSER_ENDPOINTS = new Set(["authorization", "end_session", "interaction", "login", "callback", "resume", "reset_password"]);

function endpointOf(rest: string): string {
  for (const [name, path] of Object.entries(ENDPOINT_PATHS)) {
    if (rest === path || rest.startsWith(`${path}/`)) return name;
  }
  return rest === "/.well-known/oauth-authorization-server" ? "discovery" : "other";
}

function oauthError(c: Ctx, status: number, error: string, description: string) {
  if (error === "invalid_token") c.header("WWW-Authenticate", `Bearer error="invalid_token", error_description="${description}"`);
  c.header("Cache-Control", "no-store");
  return c.json({ error, error_description: description }, status as 400);
}

/** One of the pool answers request-info.ts defines (also given by provider.ts for a pool not located). */
const poolRefusal = (c: Ctx, r: { status: number; error: string; description: string }) => oauthError(c, r.status, r.error, r.description);

function browserError(c: Ctx, status: number, message: string, error: string) {
  const t = pickStrings(c.req.header("accept-language"));
  return sendPage(c, errorPage(t, { name: "", logoUri: "" }, message, status, { error }));
}

export interface SignInAppOptions {
  providers?: ProviderCache;
}

export function createSignInApp(deps: SignInDeps, opts: SignInAppOptions = {}) {
  const { publicBaseUrl } = deps.config;
  const baseHost = new URL(publicBaseUrl).host.toLowerCase();
  const providers = opts.providers ?? createProviderCache(deps);
  const federation = federationRoutes(deps);
  const pages = interactionHandlers(deps, federation);
  const selfService = selfServiceRoutes(deps);
  const trusted = trustedProxies(deps.config.trustedProxies ?? []);
  const app = new Hono<Env>();

  app.use(async function requestLog(c, next) {
    const started = performance.now();
    const requestId = newRequestId(deps.clock.now());
    c.header("X-Request-Id", requestId);
    await next();
    const status = c.res === undefined || c.res.headers.get("x-hono-already-sent") ? c.env.outgoing.statusCode : c.res.status;
    // The endpoint's name and the pool, never the path (interaction ids) or the query (codes, state).
    deps.log.info(
      {
        requestId,
        audience: "sign-in",
        method: c.req.method,
        endpoint: c.get("endpoint") ?? "unknown",
        ...(c.get("poolUid") && { pool: c.get("poolUid") }),
        ...(c.get("answeredBy") && { answeredBy: c.get("answeredBy") }),
        status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      },
      "request",
    );
  });

  app.onError((err, c) => {
    deps.log.error({ endpoint: c.get("endpoint"), err: { name: err.name, message: err.message, stack: err.stack } }, "unexpected error");
    if (BROWSER_ENDPOINTS.has(c.get("endpoint") ?? "")) return browserError(c, 500, "The request could not be completed.", "server_error");
    return oauthError(c, 500, "server_error", "the request could not be completed");
  });

  app.notFound((c) => oauthError(c, 404, "invalid_request", "no such endpoint"));

  app.all("*", async (c) => {
    const target = poolPathOf(publicBaseUrl, c.req.path);
    if (!target) return oauthError(c, 404, "invalid_request", "no such endpoint");
    const endpoint = endpointOf(target.rest);
    c.set("endpoint", endpoint);
    const browser = BROWSER_ENDPOINTS.has(endpoint);

    // The pool from the path; on any Host but the public base URL's, the Host must be that pool's
    // ACTIVE custom domain. The issuer follows from which of the two it is, never from a header a
    // client could forge (X-Forwarded-Host is not read).
    const host = (headerOf(c.env.incoming, "host") ?? "").toLowerCase();
    // A token request's small form, looked at for the usual client_credentials request and left in
    // place for the library.
    const form = endpoint === "token" ? usualTokenForm(c) : undefined;
    // The usual requests for a pool this instance has located before (see besideTheLibrary).
    const knownAccount = BESIDE_THE_LIBRARY.has(endpoint) && host === baseHost ? poolAccounts.get(target.poolUid) : undefined;
    if (knownAccount) {
      const answered = await besideTheLibrary(c, endpoint, { accountId: knownAccount, poolUid: target.poolUid }, "", form);
      if (answered) return answered;
    }
    let customDomain = "";
    if (host !== baseHost) {
      const byHost = await locatePoolByHost(deps.db, host);
      if (!byHost || byHost.poolUid !== target.poolUid) return oauthError(c, 404, "invalid_request", "no such endpoint");
      customDomain = byHost.domain;
    }
    // A known pool's token request is not located either: the client lookup every token request
    // that gets anywhere makes reads the pool's switch, and provider.ts answers a disabled or deleted
    // pool there as disabled() and the 404 below do (poolNotLocated).
    const skipLocate = endpoint === "token" && knownAccount !== undefined;
    const pool = skipLocate
      ? { accountId: knownAccount, poolUid: target.poolUid, enabled: true }
      : await locatePoolByIssuerPath(deps.db, target.poolUid);
    if (!pool) {
      return browser ? browserError(c, 404, "This sign-in address does not exist.", "invalid_request") : poolRefusal(c, POOL_GONE);
    }
    c.set("poolUid", pool.poolUid);
    poolAccounts.set(pool.poolUid, pool.accountId);
    if (!pool.enabled) return disabled(c, endpoint, browser);

    const issuer = issuerOf(publicBaseUrl, pool.poolUid, customDomain);
    const origin = originOf(trusted, c.env.incoming.socket, c.env.incoming.headers);
    c.set("origin", origin);
    // A proxy of ours saying the browser came over plain http to an https issuer: no OAuth exchange
    // without TLS (RFC 6749 §3.1, §3.2). Anyone else's X-Forwarded-Proto is not read.
    if (origin.scheme === "http" && issuer.startsWith("https:")) {
      return browser
        ? browserError(c, 400, "Use https to sign in.", "invalid_request")
        : oauthError(c, 400, "invalid_request", "https required");
    }
    originHeaders(c.env.incoming.headers, issuer, origin);
    let pp: PoolProvider;
    try {
      pp = await providers.get(pool, issuer);
    } catch (err) {
      if (err instanceof PoolGoneError) return poolRefusal(c, POOL_GONE);
      throw err;
    }

    const spMetadata = /^\/saml\/metadata\/([^/]{1,64})$/.exec(target.rest);
    if (spMetadata) {
      const xml = c.req.method === "GET" ? await spMetadataFor(deps, pool, decoded(spMetadata[1]!) ?? "") : undefined;
      if (xml === undefined) return oauthError(c, 404, "invalid_request", "no such SAML connection");
      return c.body(xml, 200, { "Content-Type": "application/samlmetadata+xml; charset=utf-8", "Cache-Control": "public, max-age=300" });
    }

    // Sign-up, codes, forgotten password and the hosted reset page (src/sign-in/self-service/).
    const selfServed = await selfService(c, pp, target.rest);
    if (selfServed) return selfServed;

    const interaction = /^\/interaction\/([A-Za-z0-9_-]{1,64})(\/(login|consent|abort|federated|federate\/([^/]{1,256})))?$/.exec(
      target.rest,
    );
    if (interaction) {
      const uid = interaction[1]!;
      const action = interaction[3];
      if (!action && c.req.method === "GET") return pages.show(c, pp, uid);
      if (action === "federated" && c.req.method === "GET") return federation.finish(c, pp, uid);
      if (action?.startsWith("federate/") && c.req.method === "GET") {
        const connection = decoded(interaction[4]!);
        if (connection === undefined) return browserError(c, 400, "The request could not be completed.", "invalid_request");
        return federation.start(c, pp, uid, connection);
      }
      if (action === "federated" || action?.startsWith("federate/"))
        return browserError(c, 405, "The request could not be completed.", "invalid_request");
      if (action && c.req.method === "POST") {
        // Browsers send a form with its length; anything else, or more than a form needs, is refused unread.
        const length = Number(headerOf(c.env.incoming, "content-length") ?? NaN);
        if (!(length <= FORM_LIMIT_BYTES)) {
          c.header("Connection", "close");
          return browserError(c, 413, "The request is too large.", "invalid_request");
        }
        return pages[action as "login" | "consent" | "abort"](c, pp, uid);
      }
      return browserError(c, 405, "The request could not be completed.", "invalid_request");
    }
    const callback = /^\/callback\/(oauth|oidc|saml)\/(login|signup)$/.exec(target.rest);
    if (callback && (c.req.method === "GET" || c.req.method === "POST")) {
      if (c.req.method === "POST") {
        const length = Number(headerOf(c.env.incoming, "content-length") ?? NaN);
        if (!(length <= CALLBACK_LIMIT_BYTES)) {
          c.header("Connection", "close");
          return browserError(c, 413, "The request is too large.", "invalid_request");
        }
      }
      return federation.callback(c, pp, callback[1] as "oauth" | "oidc" | "saml", callback[2] as "login" | "signup");
    }
    // A client's LoginPageUrl starts its authorization request, or explains why it cannot (login-page.ts).
    if (target.rest === ENDPOINT_PATHS.login) return loginPage(deps, c, pp);
    if (endpoint === "interaction" || endpoint === "login" || endpoint === "callback") {
      // Any other path under these: nothing to serve (a sign-in starts from the client's own request).
      return browserError(c, 404, "Start signing in from the application.", "invalid_request");
    }

    if (BESIDE_THE_LIBRARY.has(endpoint) && !knownAccount) {
      const answered = await besideTheLibrary(c, endpoint, pool, customDomain, form);
      if (answered) return answered;
    }

    // Everything else is the library's: it sees the path under the issuer as its own URL and the
    // full path as originalUrl (without it, its endpoints would lose the /userpool/<Uid> prefix).
    let req = c.env.incoming as typeof c.env.incoming & { originalUrl?: string };
    const query = req.url?.includes("?") ? req.url.slice(req.url.indexOf("?")) : "";
    req.originalUrl = req.url;
    req.url = target.rest + query;
    if (skipLocate) poolNotLocated.add(req);
    // Access tokens are JWTs, which the library refuses at these two endpoints (access-tokens.ts).
    if (endpoint === "introspection" || endpoint === "revocation") req = await pp.accessTokens.forTokenEndpoint(req);
    await pp.callback(req, c.env.outgoing);
    return RESPONSE_ALREADY_SENT;
  });

  // Which account a pool belongs to never changes (a pool's Uid is global and never reused): once
  // located here, the usual requests skip locating it again, as the one statement each makes checks
  // that the pool is still there and enabled (userinfo-queries.ts; client-auth.ts's client lookup
  // reads the pool's switch). What they do not answer, a gone or disabled pool's included, goes on
  // below: userinfo's through the locator, a token request to the library (skipLocate).
  const poolAccounts = new LRUCache<string, string>({ max: 10_000 });

  /** The form of a token request of the usual shape (client-credentials.ts), unconsumed; undefined for any other. */
  function usualTokenForm(c: Ctx) {
    if (!usualTokenHead(plainRequest(c))) return undefined;
    return peekArrivedBody(c.env.incoming, Number(headerOf(c.env.incoming, "content-length")))?.toString("utf8");
  }

  /** The usual userinfo or client_credentials request answered beside the library; undefined: the library answers. */
  async function besideTheLibrary(
    c: Ctx,
    endpoint: string,
    pool: { accountId: string; poolUid: string },
    customDomain: string,
    form: string | undefined,
  ) {
    if (endpoint === "token" && form === undefined) return undefined;
    c.set("poolUid", pool.poolUid);
    const issuer = issuerOf(publicBaseUrl, pool.poolUid, customDomain);
    const origin = originOf(trusted, c.env.incoming.socket, c.env.incoming.headers);
    if (origin.scheme === "http" && issuer.startsWith("https:")) return undefined;
    const pp = await providers.get(pool, issuer).catch((err: unknown) => {
      if (err instanceof PoolGoneError) return undefined;
      throw err;
    });
    if (!pp) return undefined;
    const answer = endpoint === "token" ? await pp.usualClientCredentials(plainRequest(c), form!) : await pp.usualUserinfo(plainRequest(c));
    if (!answer) return undefined;
    c.set("answeredBy", "idplane");
    // The form nobody else will read: let it go, as any request body answered without reading it.
    if (endpoint === "token") c.env.incoming.resume();
    return c.body(JSON.stringify(answer), 200, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
  }

  function disabled(c: Ctx, endpoint: string, browser: boolean) {
    if (browser) return browserError(c, 403, "This service is not available.", "temporarily_unavailable");
    if (endpoint === "userinfo") return oauthError(c, 401, "invalid_token", "the user pool is disabled");
    if (endpoint === "token" || endpoint === "introspection" || endpoint === "revocation")
      return poolRefusal(c, POOL_DISABLED_AT_CLIENT_ENDPOINTS);
    return oauthError(c, 404, "invalid_request", "the user pool is disabled");
  }

  return app;
}
