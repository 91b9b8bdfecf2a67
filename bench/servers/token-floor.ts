// The token endpoint's floor (issue 27, item 3): a bare route that does what a client_credentials
// grant cannot do without, and nothing else: the client's secret checked against its stored hash and
// the client read (the very lookups sign-in makes: verifyClientSecret and findSignInClient of
// src/oauth-credentials/client-auth.ts, through the project's dialect), then an RFC 9068 access token
// signed with jose's SignJWT (ES256, as sign-in signs), answered as RFC 6749 JSON. No oidc-provider,
// no Koa, no grant or resource-server policy: what sign-in adds on top is measured against this.
import { randomUUID } from "node:crypto";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { Kysely } from "kysely";
import postgres from "postgres";
import { findSignInClient, verifyClientSecret } from "../../src/oauth-credentials/client-auth.js";
import { PostgresDialect } from "../../src/platform/db/postgres-dialect.js";
import type { Database } from "../../src/platform/db/schema.js";

const accountId = process.env.BENCH_ACCOUNT_ID!;
const poolUid = process.env.BENCH_POOL_UID!;
const issuer = process.env.BENCH_ISSUER!;
const sql = postgres(process.env.DATABASE_URL!, { max: 10 });
const db = new Kysely<Database>({ dialect: new PostgresDialect(sql, { prepare: true, connectionWaitMs: 30_000 }) });
const { privateKey, publicKey } = await generateKeyPair("ES256");
const kid = (await exportJWK(publicKey)).x!.slice(0, 16);

const invalidClient = () => new Response('{"error":"invalid_client"}', { status: 401, headers: { "content-type": "application/json" } });

const app = new Hono();
app.post("/token", async (c) => {
  const basic = /^Basic (.+)$/.exec(c.req.header("authorization") ?? "")?.[1];
  if (!basic) return invalidClient();
  const decoded = Buffer.from(basic, "base64").toString();
  const colon = decoded.indexOf(":");
  const [clientId, secret] = [decodeURIComponent(decoded.slice(0, colon)), decodeURIComponent(decoded.slice(colon + 1))];
  const form = new URLSearchParams(await c.req.text());
  const [ok, client] = await Promise.all([
    verifyClientSecret({ db }, clientId, secret, { accountId, poolUid }),
    findSignInClient({ db }, accountId, poolUid, clientId),
  ]);
  if (!ok || !client) return invalidClient();
  const scope = form.get("scope") ?? "";
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ client_id: clientId, scope })
    .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid })
    .setIssuer(issuer)
    .setAudience(issuer)
    .setSubject(clientId)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);
  return c.json({ access_token: token, expires_in: 3600, token_type: "Bearer", scope }, 200, { "Cache-Control": "no-store" });
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: "127.0.0.1" }, (info) => console.log(`listening ${info.port}`));
