// Sign-in's floors for `npm run bench:tokens` (issue 24, issue 27 item 3): bare Hono routes that do
// what each exchange cannot do without, and nothing else. No oidc-provider, no Koa, no grant or
// resource-server policy, no request log: what sign-in adds on top is measured against these.
//
// POST /token (client_credentials): the client's secret checked against its stored hash and the
//   client read (the very lookups sign-in makes: verifyClientSecret and findSignInClient of
//   src/oauth-credentials/client-auth.ts, through the project's dialect), then an RFC 9068 access
//   token signed with jose's SignJWT (ES256, as sign-in signs), answered as RFC 6749 JSON.
// POST /code (authorization_code + PKCE): the same client lookups; the code found and consumed
//   through sign-in's own adapter (src/sign-in/adapter.ts: the same statements on sign_in_artifacts);
//   its expiry, client, redirect_uri and S256 verifier checked; the user row read (a disabled user
//   gets no tokens); the access token stored through the adapter as sign-in stores a user's token
//   (so userinfo and revocation can find it); an access token and an ID token signed with jose.
// GET /userinfo: the bearer JWT verified with jose against the pool's published JWKS, the user row
//   read, the claims of the token's scopes answered (src/users/claims.ts's claimsOf).
// GET /userinfo-stored (the D2 line): /userinfo and, beside the user row, the stored token row read
//   by its jti through sign-in's adapter (its expiry as sign-in sees it). This is the floor of
//   sign-in's design, where a user's access token is also stored so that revocation, logout and a
//   disabled user end it at once (src/sign-in/access-tokens.ts): a token without a row gets nothing.
import { createHash, randomBytes } from "node:crypto";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from "jose";
import { Kysely } from "kysely";
import postgres from "postgres";
import { findSignInClient, verifyClientSecret } from "../../src/oauth-credentials/client-auth.js";
import { PostgresDialect } from "../../src/platform/db/postgres-dialect.js";
import type { Database } from "../../src/platform/db/schema.js";
import { adapterClass } from "../../src/sign-in/adapter.js";
import { claimsOf } from "../../src/users/claims.js";
import { findUser } from "../../src/users/queries.js";

const accountId = process.env.BENCH_ACCOUNT_ID!;
const poolUid = process.env.BENCH_POOL_UID!;
const issuer = process.env.BENCH_ISSUER!;
const sql = postgres(process.env.DATABASE_URL!, { max: 10 });
const db = new Kysely<Database>({ dialect: new PostgresDialect(sql, { prepare: true, connectionWaitMs: 30_000 }) });
const { privateKey, publicKey } = await generateKeyPair("ES256");
const kid = (await exportJWK(publicKey)).x!.slice(0, 16);
// The pool's own public keys, as any resource server would fetch them (the JWT userinfo gets is C's).
const poolKeys = process.env.BENCH_JWKS_URL ? createRemoteJWKSet(new URL(process.env.BENCH_JWKS_URL)) : undefined;
const Adapter = adapterClass(db, { now: () => new Date() } as never, { accountId, poolUid }, async () => undefined);
const codes = new Adapter("AuthorizationCode");
const accessTokens = new Adapter("AccessToken");

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "cache-control": "no-store" } });
const invalidClient = () => json(401, { error: "invalid_client" });
const invalidGrant = () => json(400, { error: "invalid_grant" });
const s256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");

/** client_secret_basic: the client, when its id and secret match one of the pool's confidential clients. */
async function authenticated(authorization: string | undefined) {
  const basic = /^Basic (.+)$/.exec(authorization ?? "")?.[1];
  if (!basic) return undefined;
  const decoded = Buffer.from(basic, "base64").toString();
  const colon = decoded.indexOf(":");
  const [clientId, secret] = [decodeURIComponent(decoded.slice(0, colon)), decodeURIComponent(decoded.slice(colon + 1))];
  const [ok, client] = await Promise.all([
    verifyClientSecret({ db }, clientId, secret, { accountId, poolUid }),
    findSignInClient({ db }, accountId, poolUid, clientId),
  ]);
  return ok && client ? client : undefined;
}

function accessToken(sub: string, clientId: string, scope: string, jti: string, now: number) {
  return new SignJWT({ client_id: clientId, scope })
    .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid })
    .setIssuer(issuer)
    .setAudience(issuer)
    .setSubject(sub)
    .setJti(jti)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);
}

const app = new Hono();
app.post("/token", async (c) => {
  const client = await authenticated(c.req.header("authorization"));
  if (!client) return invalidClient();
  const form = new URLSearchParams(await c.req.text());
  const scope = form.get("scope") ?? "";
  const now = Math.floor(Date.now() / 1000);
  const token = await accessToken(client.clientId, client.clientId, scope, randomBytes(32).toString("base64url"), now);
  return json(200, { access_token: token, expires_in: 3600, token_type: "Bearer", scope });
});

app.post("/code", async (c) => {
  const [client, form] = await Promise.all([authenticated(c.req.header("authorization")), c.req.text()]);
  if (!client) return invalidClient();
  const params = new URLSearchParams(form);
  const code = params.get("code") ?? "";
  const stored = await codes.find(code);
  const now = Math.floor(Date.now() / 1000);
  if (
    !stored ||
    stored.consumed ||
    (stored.exp as number) <= now ||
    stored.clientId !== client.clientId ||
    stored.redirectUri !== params.get("redirect_uri") ||
    stored.codeChallenge !== s256(params.get("code_verifier") ?? "")
  )
    return invalidGrant();
  const user = await findUser(db, accountId, poolUid, String(stored.accountId));
  if (!user || user.user_state !== "ACTIVE") return invalidGrant();
  const jti = randomBytes(32).toString("base64url");
  const scope = String(stored.scope);
  const tokenPayload = {
    iat: now,
    exp: now + 3600,
    kind: "AccessToken",
    accountId: user.uid,
    clientId: client.clientId,
    grantId: stored.grantId,
    gty: "authorization_code",
    scope,
    sessionUid: stored.sessionUid,
    sid: stored.sid,
    expiresWithSession: stored.expiresWithSession,
  };
  await codes.consume(code);
  await accessTokens.upsert(jti, tokenPayload as never, 3600);
  const [at, idToken] = await Promise.all([
    accessToken(user.uid, client.clientId, scope, jti, now),
    // The claims sign-in's ID token carries for this client and scope (sub, nonce, aud, iat, exp, iss).
    new SignJWT({ sub: user.uid, nonce: stored.nonce })
      .setProtectedHeader({ alg: "ES256", kid })
      .setIssuer(issuer)
      .setAudience(client.clientId)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(privateKey),
  ]);
  return json(200, { access_token: at, expires_in: 3600, id_token: idToken, scope, token_type: "Bearer" });
});

/** Userinfo's answer for a bearer JWT; with `stored`, only while its stored token row exists too. */
async function userinfo(authorization: string | undefined, stored: boolean) {
  const bearer = /^Bearer (.+)$/.exec(authorization ?? "")?.[1];
  if (!bearer || !poolKeys) return json(401, { error: "invalid_token" });
  let claims: { sub?: string; scope?: unknown; jti?: string };
  try {
    ({ payload: claims } = await jwtVerify(bearer, poolKeys, { issuer, typ: "at+jwt", algorithms: ["ES256", "RS256"] }));
  } catch {
    return json(401, { error: "invalid_token" });
  }
  const [user, token] = await Promise.all([
    findUser(db, accountId, poolUid, String(claims.sub)),
    stored ? accessTokens.find(String(claims.jti)) : true,
  ]);
  if (!token || !user || user.user_state !== "ACTIVE") return json(401, { error: "invalid_token" });
  return json(200, claimsOf(user, new Set(String(claims.scope ?? "").split(" "))));
}
app.get("/userinfo", (c) => userinfo(c.req.header("authorization"), false));
app.get("/userinfo-stored", (c) => userinfo(c.req.header("authorization"), true));

serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: "127.0.0.1" }, (info) => console.log(`listening ${info.port}`));
