// What each environment variable of src/platform/config.ts means, for docs/configuration.md
// (written by `npm run config:docs`, checked for drift by test/platform/config-docs.test.ts and CI).
// The list of variables comes from the schema itself: a variable added there without a line here
// shows up in the document as undocumented, and the drift check fails until it is regenerated.
import type { z } from "zod";
import { envSchema } from "./config.js";

type Doc = { default: string; meaning: string };

/** The defaults as a reader needs them (computed ones in words); meanings in Markdown, links relative to docs/. */
export const CONFIG_DOCS: Record<string, Doc> = {
  ID_SERVE: {
    default: "`all`",
    meaning:
      "which audiences this instance serves: `all`, `api` (the signed API only) or `sign-in` (the pools' OpenID Providers only; [docs/sign-in.md](sign-in.md))",
  },
  ID_TRUSTED_PROXIES: {
    default: "unset (trust no proxy)",
    meaning:
      "comma-separated addresses or CIDR blocks of the proxies in front of idplane (e.g. `10.0.0.5,10.1.0.0/16`); sign-in believes `X-Forwarded-For` (the address failed sign-ins are throttled by) and `X-Forwarded-Proto` only on connections from these, never the issuer from any header ([docs/sign-in.md](sign-in.md#behind-a-proxy))",
  },
  ID_QUOTA_DEPARTMENTS_PER_POOL: { default: "`50000`", meaning: "departments per user pool" },
  ID_QUOTA_DEPARTMENTS_PER_USER: { default: "`100`", meaning: "departments one user belongs to" },
  ID_RATE_LIMIT_TOKENS_PER_KEY_PAIR: {
    default: "`10`",
    meaning: "rate-limit tokens one RSA key generation (a SAML SP key pair) costs on top of its request",
  },
  ID_RATE_LIMIT_CSV_ROWS_PER_TOKEN: {
    default: "`100`",
    meaning: "rows of a CSV import one rate-limit token pays for (`0`: the call's one token only)",
  },
  ID_HEADERS_TIMEOUT_SECONDS: {
    default: "`10`",
    meaning: "a request's headers must arrive within this, or the connection is closed with 408",
  },
  ID_REQUEST_TIMEOUT_SECONDS: {
    default: "`30`",
    meaning: "the whole request must arrive within this, or the connection is closed with 408",
  },
  PORT: { default: "`8080`", meaning: "listening port" },
  HOST: { default: "`127.0.0.1`", meaning: "listening address (`0.0.0.0` in containers)" },
  DATABASE_URL: { default: "unset", meaning: "`postgres://...`; unset means the embedded database under `ID_DATA_DIR`" },
  DATABASE_POOLER: {
    default: "`none`",
    meaning: "`pgbouncer` when `DATABASE_URL` is PgBouncer in transaction mode: no prepared statements, no LISTEN through it",
  },
  DATABASE_DIRECT_URL: {
    default: "unset",
    meaning: "with `DATABASE_POOLER=pgbouncer`: Postgres itself, used only to LISTEN for access-key changes (unset: a poll every second)",
  },
  DATABASE_MAX_CONNECTIONS: { default: "`10`", meaning: "connections this instance opens to `DATABASE_URL`" },
  DATABASE_CONNECT_TIMEOUT_SECONDS: {
    default: "`3`",
    meaning:
      "bound of a connection attempt, and of a statement's wait for a connection while the database is silent (then `ServiceUnavailable`)",
  },
  ID_DATA_DIR: { default: "`./.idplane`", meaning: "embedded database and generated master key (created private, mode 0700)" },
  ID_EMBEDDED_ENGINE: {
    default: "`postgres` when its platform package is installed, else `pglite`",
    meaning: "the embedded database without `DATABASE_URL` ([docs/embedded.md](embedded.md))",
  },
  ID_EMBEDDED_POSTGRES_USER: {
    default: "`postgres`, else `nobody`",
    meaning: "as root only: the OS user embedded Postgres runs as (Postgres refuses root)",
  },
  ID_REGION: { default: "`cn-beijing`", meaning: "region in the signing scope and the envelope" },
  ID_MAX_SKEW_SECONDS: { default: "`900`", meaning: "accepted clock difference of `X-Date`" },
  ID_BODY_LIMIT_BYTES: { default: "`1048576`", meaning: "request body limit (`RequestEntityTooLarge` above it)" },
  ID_MASTER_KEY: {
    default: "generated in embedded mode",
    meaning: "32 bytes, base64 (`openssl rand -base64 32`); encrypts secrets at rest. Required with `DATABASE_URL`",
  },
  ID_MASTER_KEYS_PREVIOUS: {
    default: "unset",
    meaning:
      "earlier master keys, comma-separated, still accepted for reading during a rotation ([docs/operations.md](operations.md#rotating-the-master-key))",
  },
  ID_ROOT_ACCOUNT_ID: { default: "`2100000001`", meaning: "account of the bootstrap admin key" },
  ID_ROOT_ACCESS_KEY_ID: {
    default: "unset",
    meaning: "when both are set, this admin key exists after start-up (scripts and containers know their credentials in advance)",
  },
  ID_ROOT_SECRET_ACCESS_KEY: {
    default: "unset",
    meaning: "when both are set, this admin key exists after start-up (scripts and containers know their credentials in advance)",
  },
  ID_QUOTA_USER_POOLS: { default: "`100`", meaning: "user pools per account" },
  ID_STATEMENT_TIMEOUT_MS: {
    default: "`10000`",
    meaning:
      "bound of one database statement of a request; past it the request answers `ServiceUnavailable` and the connection is reused (`0`: off; [docs/operations.md](operations.md))",
  },
  ID_ACCOUNT_CONCURRENCY: {
    default: "half of `DATABASE_MAX_CONNECTIONS`",
    meaning: "requests of one account in progress at once on this instance; the rest wait in its queue",
  },
  ID_ACCOUNT_QUEUE: { default: "`200`", meaning: "requests of one account waiting on this instance; past it `Throttling`" },
  ID_ANALYZE_AFTER_IMPORT_ROWS: {
    default: "`1000`",
    meaning: "a CreateUsers or CSV import of at least this many users refreshes the table's statistics afterwards (`0`: never)",
  },
  ID_QUOTA_USERS_PER_POOL: { default: "`1000000`", meaning: "users per pool" },
  ID_QUOTA_CREDENTIALS_PER_POOL: { default: "`1000`", meaning: "OAuth credentials per pool" },
  ID_QUOTA_IDPS_PER_POOL: { default: "`300`", meaning: "identity providers per pool (OAuth, OIDC and SAML together)" },
  ID_QUOTA_CUSTOM_ATTRIBUTES_PER_POOL: { default: "`50`", meaning: "custom attributes per pool" },
  ID_QUOTA_GROUPS_PER_POOL: { default: "`1000`", meaning: "groups per pool" },
  ID_QUOTA_MEMBERS_PER_GROUP: { default: "`1000000`", meaning: "members per group" },
  ID_QUOTA_GROUPS_PER_USER: { default: "`100`", meaning: "groups a user is in" },
  ID_PUBLIC_BASE_URL: {
    default: "`http://<HOST>:<PORT>`",
    meaning:
      "where clients reach the pools' endpoints; the pools' `IssuerUrl`, `TokenUrl`, callbacks and `Domain` derive from it ([User pools](api/user-pools.md))",
  },
  ID_DOMAIN_CNAME_TARGET_SUFFIX: {
    default: "the host of `ID_PUBLIC_BASE_URL` (`localhost` for an IP)",
    meaning:
      "custom domains' CNAME targets are `<pool uid>.<suffix>`: point a wildcard record `*.<suffix>` at idplane's proxy ([Custom domains](api/user-pool-domains.md))",
  },
  ID_DNS_RESOLVERS: {
    default: "unset",
    meaning:
      "DNS servers custom domains are checked on: `ip`, `ip:port`, `[ipv6]:port`, comma-separated, or `system` (the host's). Unset: no lookups, domains stay `PENDING`",
  },
  ID_DNS_TIMEOUT_MS: { default: "`2000`", meaning: "one DNS query's timeout (10-30000)" },
  ID_DNS_TRIES: { default: "`2`", meaning: "queries per server (1-5); a check gives up after timeout x tries" },
  ID_DOMAIN_CHECK_INTERVAL_SECONDS: {
    default: "`60`",
    meaning:
      "a pending domain is looked up at most this often (Get, Update or housekeeping, whichever comes first); housekeeping's pass runs this often",
  },
  ID_RATE_LIMIT_PER_SECOND: {
    default: "`200`",
    meaning:
      "requests per second per access key, shared by all instances on one database (`Throttling`, 429, above it); `0` turns throttling off",
  },
  ID_RATE_LIMIT_BURST: { default: "`400`", meaning: "requests a key may send at once after being idle (the bucket's size)" },
  ID_RATE_LIMIT_TOKENS_PER_PASSWORD: {
    default: "`3`",
    meaning:
      "extra tokens a request pays per password it hashes, before hashing ([docs/security.md](security.md#password-hashing-fairness)); `0`: none",
  },
  ID_PASSWORD_HASH_CONCURRENCY: {
    default: "cores, at most `UV_THREADPOOL_SIZE` − 1",
    meaning:
      "password hashes run at once; the rest wait, round-robin per account ([docs/security.md](security.md#password-hashing-fairness))",
  },
  ID_REPLAY_PROTECTION: {
    default: "`off`",
    meaning: "`on`: the exact same signed request is refused a second time within the skew window, on any instance",
  },
  SMTP_URL: {
    default: "unset",
    meaning: "`smtp://user:pass@host:port` (STARTTLS when offered) or `smtps://...:465`; never logged. Unset: reset mail stays queued",
  },
  MAIL_FROM: { default: "unset", meaning: "sender, required with `SMTP_URL`: `idplane <no-reply@example.com>`" },
  ID_MAIL_MAX_ATTEMPTS: { default: "`8`", meaning: "delivery attempts before a mail is marked failed (backing off from 30 s to 1 h)" },
  ID_RESET_MAIL_PER_USER: {
    default: "`5`",
    meaning: "reset mails per user per window (`Throttling` above it; [docs/security.md](security.md#reset-mail-limits)); `0` turns it off",
  },
  ID_RESET_MAIL_PER_ADDRESS: {
    default: "`10`",
    meaning: "reset mails per address per window, across an account's pools; `0` turns it off",
  },
  ID_RESET_MAIL_WINDOW_SECONDS: { default: "`3600`", meaning: "sliding window of both reset mail limits (at most 86400)" },
  ID_KEEPALIVE_TIMEOUT_SECONDS: {
    default: "`5`",
    meaning: "idle keep-alive connections are closed after this; behind a proxy or load balancer, set it above the proxy's idle timeout",
  },
  ID_SHUTDOWN_TIMEOUT_SECONDS: {
    default: "`10`",
    meaning: "after SIGTERM, how long in-flight requests may take before the process exits 1 anyway",
  },
  ID_OUTBOUND_CA_FILE: {
    default: "unset",
    meaning: "PEM file of CAs trusted for outbound https (OIDC discovery) beside Node's bundled roots",
  },
  ID_OUTBOUND_ALLOW_ADDRESSES: {
    default: "unset",
    meaning:
      "comma-separated addresses or CIDR blocks outbound requests may reach although not public (e.g. `10.0.0.0/8` for an IdP on the LAN); otherwise loopback, private, link-local and reserved addresses are refused",
  },
  ID_OUTBOUND_ALLOW_HTTP_LOOPBACK: { default: "`off`", meaning: "`on`: outbound plain http to a loopback host (development only)" },
  ID_OUTBOUND_TIMEOUT_SECONDS: { default: "`10`", meaning: "bound of a whole outbound exchange, redirects (at most 3) included" },
  ID_OUTBOUND_MAX_BYTES: { default: "`524288`", meaning: "largest outbound answer read" },
  LOG_LEVEL: { default: "`info`", meaning: "pino level; logs are JSON lines on stdout" },
  UV_THREADPOOL_SIZE: {
    default: "unset (libuv: 4)",
    meaning: "libuv's own variable, read here only to size the default of `ID_PASSWORD_HASH_CONCURRENCY`",
  },
};

/** Read outside the schema, by the embedded engine before the configuration exists. */
const OUTSIDE_SCHEMA = ["ID_EMBEDDED_POSTGRES_USER"];

function row(name: string): string {
  const doc = CONFIG_DOCS[name];
  if (!doc) return `| \`${name}\` | | undocumented: add it to src/platform/config-docs.ts |`;
  return `| \`${name}\` | ${doc.default} | ${doc.meaning} |`;
}

/** docs/configuration.md, from the schema's variables in their order. */
export function renderConfigurationDoc(schema: z.ZodObject = envSchema): string {
  const names = [...Object.keys(schema.shape), ...OUTSIDE_SCHEMA];
  return [
    "# Configuration",
    "",
    "<!-- Generated by `npm run config:docs` from src/platform/config.ts and src/platform/config-docs.ts: edit those, not this file. -->",
    "",
    "Environment variables, parsed once at start-up; a bad value stops the service with a message that",
    "names it.",
    "",
    "| Variable | Default | Meaning |",
    "|---|---|---|",
    ...names.map(row),
    "",
    "Several instances behind a load balancer, PgBouncer, failover to a standby, rolling restarts: [deployment.md](deployment.md).",
    "",
  ].join("\n");
}
