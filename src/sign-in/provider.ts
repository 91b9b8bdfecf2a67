// One oidc-provider `Provider` per pool and issuer: the library speaks the protocol (discovery, JWKS,
// authorization code with PKCE, tokens, userinfo, introspection, revocation, logout); this file is
// its configuration: our adapter, our clients, our users, our pages and our policies. Every option
// set here is explained in docs/sign-in.md; the defaults it leaves are the library's.
import type { IncomingMessage } from "node:http";
import type { AdapterPayload, Configuration, KoaContextWithOIDC, UnknownObject } from "oidc-provider";
import type Provider from "oidc-provider";
import type { AppDeps } from "../deps.js";
import { ENDPOINT_PATHS } from "../user-pools/endpoints.js";
import { adapterClass } from "./adapter.js";
import { jwtAccessTokens, type JwtAccessTokens } from "./access-tokens.js";
import { clientMetadata, corsAllowed, STANDARD_SCOPES } from "./clients.js";
import {
  claimsFrom,
  claimsSource,
  claimsSourceOf,
  CUSTOM_ATTRIBUTES_SCOPE,
  DEPARTMENTS_SCOPE,
  GROUPS_SCOPE,
  PROFILE_CLAIMS,
  type ClaimsSource,
  type ClaimsUser,
} from "../users/sign-in.js";
import { usualUserinfo } from "./userinfo.js";
import { usualClientCredentialsToken, type TokenAnswer } from "./client-credentials.js";
import { POOL_DISABLED_AT_CLIENT_ENDPOINTS, POOL_GONE, poolNotLocated, type PlainRequest } from "./request-info.js";
import { locatePoolByIssuerPath } from "../user-pools/locate.js";
import {
  findSignInClientWithSecret,
  secretMatchesStored,
  verifyClientSecret,
  type SignInClient,
} from "../oauth-credentials/client-auth.js";
import { pickStrings } from "./pages/i18n.js";
import { latestPropagatedClaims } from "../external-identities/queries.js";
import { errorPage, loggedOutPage, logoutPage } from "./pages/forms.js";
import type { Brand } from "./pages/layout.js";
import { mayIntrospect, pkceRequired, refreshTtl, revocation, rotatesRefreshToken, TTL } from "./token-policy.js";

export interface PoolSnapshot {
  accountId: string;
  poolUid: string;
  /** The issuer this provider answers as: the public base URL's or the custom domain's. */
  issuer: string;
  customScopes: string[];
  customAttributeNames: string[];
  /** The TargetClaims of the pool's connections' ClaimsPropagationConfig: released with the `openid` scope. */
  propagatedClaimNames: string[];
  passwordSignInEnabled: boolean;
  brand: Brand;
  jwks: { keys: Record<string, unknown>[] };
}

export type SignInDeps = Pick<AppDeps, "db" | "clock" | "log" | "config" | "hashQueue" | "secretBox">;

/** Standard claims by scope (OpenID Connect Core 1.0 §5.4); `groups`, `departments` and `custom:<Name>` only under the pool's custom scopes `groups`, `departments` and `custom_attributes` (src/users/claims.ts). */
const STANDARD_CLAIMS = {
  openid: ["sub"],
  profile: [...PROFILE_CLAIMS, "updated_at"],
  email: ["email", "email_verified"],
  phone: ["phone_number", "phone_number_verified"],
};

/** The authorization request's parameter naming a connection to sign in with directly (its Uid or Name); as Keycloak's kc_idp_hint. */
export const IDP_HINT_PARAMETER = "idp_hint";

/**
 * The pool's own API as a resource server: its custom scopes, aud = the issuer. The library keeps
 * the token in its stored (opaque) form; access-tokens.ts hands it out as an RFC 9068 JWT, as every
 * access token of the pool.
 */
function resourceServer(pool: PoolSnapshot, stateless: boolean) {
  return {
    scope: pool.customScopes.join(" "),
    audience: pool.issuer,
    accessTokenTTL: TTL.accessToken,
    ...(stateless
      ? { accessTokenFormat: "jwt" as const, jwt: { sign: { alg: "ES256" as const } } }
      : { accessTokenFormat: "opaque" as const }),
  };
}

const pick = (from: Record<string, unknown>, names: string[]) =>
  Object.fromEntries(names.filter((n) => Object.hasOwn(from, n)).map((n) => [n, from[n]]));

let library: Promise<typeof import("oidc-provider")> | undefined;
/**
 * oidc-provider, loaded on the first pool provider rather than at start-up: it prints "Unsupported
 * runtime" on Node 20 when imported, and an instance that serves no sign-in never needs it.
 */
const oidcLibrary = () => (library ??= import("oidc-provider"));

export async function createPoolProvider(
  deps: SignInDeps,
  pool: PoolSnapshot,
): Promise<{
  provider: Provider;
  clientRecord(id: string): SignInClient | undefined;
  accessTokens: JwtAccessTokens;
  /** Userinfo's usual request answered beside the library (userinfo.ts); undefined: the library answers. */
  usualUserinfo(req: PlainRequest): Promise<Record<string, unknown> | undefined>;
  /** The token endpoint's usual client_credentials request beside the library (client-credentials.ts). */
  usualClientCredentials(req: PlainRequest, form: string): Promise<TokenAnswer | undefined>;
}> {
  const { default: ProviderClass, errors } = await oidcLibrary();
  const { accountId, poolUid } = pool;
  // The records the Client adapter built during this process, read by the TTL and rotation policies
  // (synchronous in the library, so they cannot query): refreshed on every client lookup.
  const records = new Map<string, SignInClient>();
  // The stored secret hashes read with them, per request: the library authenticates a client by
  // Client.find (this lookup) and then compareClientSecret in the same request, which checks against
  // the hash this request read instead of reading the client a second time. Keyed by the request's
  // context (the library's AsyncLocalStorage), so a concurrent request's read, say one racing a
  // ResetSecret, is never the hash a secret is checked against.
  const secretHashes = new WeakMap<object, Map<string, Uint8Array | undefined>>();
  const requestContext = () => (ProviderClass as unknown as { ctx?: object }).ctx;
  const clientSource = async (clientId: string): Promise<AdapterPayload | undefined> => {
    const found = await findSignInClientWithSecret(deps, accountId, poolUid, clientId);
    const ctx = requestContext();
    if (!found || !found.client.enabled) {
      records.delete(clientId);
      if (ctx) secretHashes.get(ctx)?.delete(clientId);
      await refuseIfPoolUnusable(ctx);
      return undefined;
    }
    records.set(clientId, found.client);
    if (ctx) {
      const read = secretHashes.get(ctx) ?? new Map<string, Uint8Array | undefined>();
      read.set(clientId, found.secretHash);
      secretHashes.set(ctx, read);
    }
    return clientMetadata(found.client, pool.customScopes) as AdapterPayload;
  };
  /** For a request whose pool app.ts did not locate: its answers for a deleted or disabled pool, as the library's errors. */
  async function refuseIfPoolUnusable(ctx: object | undefined) {
    const req = (ctx as { req?: IncomingMessage } | undefined)?.req;
    if (!req || !poolNotLocated.has(req)) return;
    const located = await locatePoolByIssuerPath(deps.db, poolUid);
    const refusal = !located ? POOL_GONE : !located.enabled ? POOL_DISABLED_AT_CLIENT_ENDPOINTS : undefined;
    if (!refusal) return;
    const err = new errors.CustomOIDCProviderError(refusal.error, refusal.description);
    throw Object.assign(err, { status: refusal.status, statusCode: refusal.status });
  }
  const brandFor = (ctx: KoaContextWithOIDC) => ({ t: pickStrings(ctx.get("accept-language")), brand: pool.brand });
  const customClaims: Record<string, string[]> = {};
  if (pool.customScopes.includes(GROUPS_SCOPE)) customClaims[GROUPS_SCOPE] = ["groups"];
  if (pool.customScopes.includes(DEPARTMENTS_SCOPE)) customClaims[DEPARTMENTS_SCOPE] = ["departments"];
  if (pool.customScopes.includes(CUSTOM_ATTRIBUTES_SCOPE))
    customClaims[CUSTOM_ATTRIBUTES_SCOPE] = pool.customAttributeNames.map((n) => `custom:${n}`);
  // A propagated claim named like a standard or custom-scope claim would be released under openid: left out.
  const scoped = new Set([...Object.values(STANDARD_CLAIMS).flat(), ...Object.values(customClaims).flat()]);
  const propagatedNames = pool.propagatedClaimNames.filter((n) => !scoped.has(n));
  const cookiePrefix = pool.issuer.startsWith("https:") ? "__Host-" : "";
  const claimsByScope = { ...STANDARD_CLAIMS, openid: [...STANDARD_CLAIMS.openid, ...pool.propagatedClaimNames], ...customClaims };
  /** An account's claims for a scope: the user's own, over the upstream claims of its latest federated sign-in. */
  async function accountClaims(source: ClaimsSource, scope: string | undefined) {
    const [claims, propagated] = await Promise.all([
      claimsFrom(deps, source, scope ? scope.split(" ") : ["openid"]),
      propagatedNames.length ? latestPropagatedClaims(deps.db, accountId, poolUid, source.user.uid) : {},
    ]);
    // ClaimsPropagationConfig's claims: a propagated claim never replaces one idplane sets.
    return { ...pick(propagated, propagatedNames), ...claims, sub: source.user.uid } as UnknownObject & { sub: string };
  }

  const Adapter = adapterClass(deps.db, deps.clock, pool, clientSource, requestContext);
  const configuration: Configuration = {
    adapter: Adapter,
    jwks: pool.jwks as Configuration["jwks"],
    async findAccount(_ctx, sub) {
      // A disabled or deleted user has no account: its tokens stop working at userinfo and refresh.
      // The user is read once per request: the claims (ID token, userinfo) come from the same row,
      // which a code or token lookup of this request may have read already (adapter.ts).
      const ahead = Adapter.takeUser(sub);
      const source = ahead
        ? claimsSourceOf(accountId, poolUid, ahead, pool.customScopes)
        : await claimsSource(deps, accountId, poolUid, sub, pool.customScopes);
      if (!source) return undefined;
      return { accountId: sub, claims: (_use, scope) => accountClaims(source, scope) };
    },
    claims: claimsByScope,
    scopes: [...STANDARD_SCOPES, ...pool.customScopes],
    responseTypes: ["code"],
    // Kept with the interaction so the sign-in page can act on it (src/sign-in/federation/routes.ts).
    extraParams: [IDP_HINT_PARAMETER],
    clientAuthMethods: ["client_secret_basic", "client_secret_post", "none"],
    clientDefaults: {
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      id_token_signed_response_alg: "ES256",
    },
    enabledJWA: {
      idTokenSigningAlgValues: ["ES256", "RS256"],
      userinfoSigningAlgValues: ["ES256", "RS256"],
      introspectionSigningAlgValues: ["ES256", "RS256"],
      authorizationSigningAlgValues: ["ES256", "RS256"],
      requestObjectSigningAlgValues: ["ES256", "RS256"],
      clientAuthSigningAlgValues: [],
    },
    // S256 only (the library supports nothing else); required where the kit says (public clients).
    pkce: { required: (_ctx, client) => pkceRequired(records.get(client.clientId)) },
    // Cross-origin reads by a browser page: the client's AllowedCors (clients.ts).
    clientBasedCORS: (ctx, origin, client) => {
      const record = records.get(client.clientId);
      return record !== undefined && corsAllowed(record, origin, ctx.oidc?.route);
    },
    routes: {
      authorization: ENDPOINT_PATHS.authorization,
      token: ENDPOINT_PATHS.token,
      userinfo: ENDPOINT_PATHS.userinfo,
      revocation: ENDPOINT_PATHS.revocation,
      introspection: ENDPOINT_PATHS.introspection,
      end_session: ENDPOINT_PATHS.end_session,
      jwks: ENDPOINT_PATHS.jwks,
    },
    interactions: { url: (_ctx, interaction) => `${new URL(pool.issuer).pathname}${ENDPOINT_PATHS.interaction}/${interaction.uid}` },
    cookies: {
      names: { session: `${cookiePrefix}idp-s-${poolUid}`, interaction: `idp-i-${poolUid}`, resume: `idp-r-${poolUid}` },
      long: { httpOnly: true, sameSite: "lax", path: "/" },
      short: { httpOnly: true, sameSite: "lax" },
    },
    ttl: {
      AuthorizationCode: TTL.code,
      AccessToken: (_ctx, token, client) =>
        token.resourceServer?.accessTokenTTL ?? records.get(client.clientId)?.accessTokenLifetimeSeconds ?? TTL.accessToken,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? TTL.accessToken,
      IdToken: (_ctx, _token, client) => records.get(client.clientId)?.idTokenLifetimeSeconds ?? TTL.accessToken,
      RefreshToken: (ctx, token, client) =>
        refreshTtl(
          records.get(client.clientId),
          (token as { iiat?: number }).iiat,
          Math.floor(Date.now() / 1000),
          Boolean(ctx?.oidc?.entities.RotatedRefreshToken),
        ),
      Session: TTL.session,
      Interaction: TTL.interaction,
      Grant: TTL.grant,
    },
    // OAuth Security BCP (RFC 9700 §4.14.2): a public client's refresh token is always rotated.
    rotateRefreshToken: (ctx) => {
      const client = ctx.oidc.entities.Client;
      return client ? rotatesRefreshToken(client.clientAuthMethod, records.get(client.clientId)) : false;
    },
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed("refresh_token") && code.scopes.has("offline_access"),
    features: {
      devInteractions: { enabled: false as never },
      clientCredentials: { enabled: true },
      // Who may introspect or revoke which token: token-policy.ts.
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) =>
          mayIntrospect({ clientId: client.clientId, authMethod: client.clientAuthMethod }, token.clientId),
      },
      // Refusing a confidential client is the library's default, made explicit.
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => {
          // A client_credentials JWT is not stored, so nothing can end it before it expires (access-tokens.ts).
          if ((token as { stateless?: boolean }).stateless)
            throw new errors.UnsupportedTokenType("client_credentials tokens cannot be revoked; they expire within an hour");
          const decision = revocation({ clientId: client.clientId, authMethod: client.clientAuthMethod }, token.clientId);
          if (decision === "refuse") throw new errors.InvalidRequest("client is not authorized to revoke the presented token");
          return decision === "revoke";
        },
      },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          const { t, brand } = brandFor(ctx);
          sendPage(ctx, logoutPage(t, brand, form, ctx.oidc.params?.post_logout_redirect_uri));
        },
        async postLogoutSuccessSource(ctx) {
          const { t, brand } = brandFor(ctx);
          sendPage(ctx, loggedOutPage(t, brand));
        },
      },
      resourceIndicators: {
        enabled: true,
        // client_credentials always targets the pool's API; the code flow does when `resource` names it.
        async defaultResource(ctx, _client, oneOf) {
          if (oneOf) return oneOf;
          return ctx.oidc.params?.grant_type === "client_credentials" ? pool.issuer : undefined!;
        },
        async getResourceServerInfo(ctx, indicator) {
          if (indicator !== pool.issuer || pool.customScopes.length === 0) throw new errors.InvalidTarget();
          // client_credentials tokens stand for no user: stateless JWTs, nothing written per token.
          return resourceServer(pool, ctx.oidc?.params?.grant_type === "client_credentials");
        },
        async useGrantedResource() {
          return false;
        },
      },
    },
    async renderError(ctx, out) {
      const { t, brand } = brandFor(ctx);
      const status = Math.max(ctx.status, 400);
      sendPage(
        ctx,
        errorPage(t, brand, t.errorGeneric, status, {
          error: String(out.error),
          description: out.error_description ? String(out.error_description) : undefined,
        }),
      );
    },
  };

  const provider = new ProviderClass(pool.issuer, configuration);
  // The library builds its URLs and cookie flags from X-Forwarded-Proto/-Host/-For, which app.ts
  // always sets to the issuer's own origin and the client address it trusts (request-info.ts): no
  // header a client sends reaches the library.
  provider.proxy = true;
  const accessTokens = jwtAccessTokens(provider, pool, () => deps.clock.now().getTime());
  // Our secrets are stored as SHA-256 only: the library's own comparison is replaced by our store's
  // (constant time; a client gone since its lookup has no hash, and nothing matches). A client this
  // request did not look up (none today) is read again.
  provider.Client.prototype.compareClientSecret = async function compareClientSecret(this: { clientId: string }, actual: string) {
    const read = secretHashes.get(requestContext() ?? {});
    if (read?.has(this.clientId)) return secretMatchesStored(actual, read.get(this.clientId));
    return verifyClientSecret(deps, this.clientId, actual, { accountId, poolUid });
  } as never;
  const userinfoSources = {
    pool,
    verify: accessTokens.verify,
    accountClaims: (user: ClaimsUser, scope: string) =>
      accountClaims({ accountId, poolUid, user, poolCustomScopes: pool.customScopes }, scope),
    claimsByScope,
  };
  return {
    provider,
    clientRecord: (id) => records.get(id),
    accessTokens,
    usualUserinfo: (req) => usualUserinfo(deps, userinfoSources, req),
    usualClientCredentials: (req, form) => usualClientCredentialsToken(deps, { pool, sign: accessTokens.sign }, req, form),
  };
}

function sendPage(ctx: KoaContextWithOIDC, page: { status: number; body: string; headers: Record<string, string> }) {
  ctx.status = page.status;
  for (const [k, v] of Object.entries(page.headers)) ctx.set(k, v);
  ctx.body = page.body;
}
