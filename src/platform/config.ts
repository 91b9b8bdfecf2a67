// The service's configuration: the environment parsed once with zod. Nothing else reads process.env.
import { z } from "zod";
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { normalizeDomain } from "../user-pool-domains/names.js";
import { defaultHashConcurrency } from "../users/hash-queue.js";
import { isAddressOrBlock } from "./outbound/addresses.js";
import type { OutboundPolicy } from "./outbound/guarded-fetch.js";

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const base64Key = z.string().refine((s) => /^[A-Za-z0-9+/]+={0,2}$/.test(s) && Buffer.from(s, "base64").length === 32, {
  message: "must be 32 bytes, base64-encoded (openssl rand -base64 32)",
});

export const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().min(1).default("127.0.0.1"),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
    /** pgbouncer: the URL goes through PgBouncer in transaction mode (no prepared statements, no LISTEN on it). */
    DATABASE_POOLER: z.enum(["none", "pgbouncer"]).default("none"),
    /** A URL straight to Postgres, past the pooler, used only to LISTEN for access-key changes. */
    DATABASE_DIRECT_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
    /** Connections this instance opens (to Postgres, or to PgBouncer with DATABASE_POOLER=pgbouncer). */
    DATABASE_MAX_CONNECTIONS: positiveInt(10),
    /** Bound of a connection attempt and of a statement's wait for a connection (ServiceUnavailable after it). */
    DATABASE_CONNECT_TIMEOUT_SECONDS: positiveInt(3),
    /** No statement runs longer (ServiceUnavailable after it, the connection freed); 0: no bound. */
    ID_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
    /** Requests of one account in progress at once on this instance; the rest queue (see ID_ACCOUNT_QUEUE). Default: half the pool. */
    ID_ACCOUNT_CONCURRENCY: z.coerce.number().int().positive().max(10_000).optional(),
    /** Requests of one account that may wait for a slot; beyond, Throttling at once. */
    ID_ACCOUNT_QUEUE: z.coerce.number().int().min(0).max(100_000).default(200),
    /** CreateUsers / CreateUsersCSV calls creating at least this many users refresh the users table's statistics afterwards; 0: never. */
    ID_ANALYZE_AFTER_IMPORT_ROWS: z.coerce.number().int().min(0).default(1000),
    ID_DATA_DIR: z.string().min(1).default("./.idplane"),
    /** The embedded database without DATABASE_URL; unset: postgres when its binaries are installed, else pglite. */
    ID_EMBEDDED_ENGINE: z.enum(["postgres", "pglite"]).optional(),
    ID_REGION: z
      .string()
      .regex(/^[a-z0-9-]+$/, "lower-case letters, digits and '-'")
      .default("cn-beijing"),
    ID_MAX_SKEW_SECONDS: positiveInt(900),
    ID_BODY_LIMIT_BYTES: positiveInt(1_048_576),
    ID_MASTER_KEY: base64Key.optional(),
    /** Earlier master keys, comma-separated, kept only to decrypt until `keys rotate-master` has run. */
    ID_MASTER_KEYS_PREVIOUS: z.string().optional(),
    ID_ROOT_ACCOUNT_ID: z
      .string()
      .regex(/^[1-9][0-9]{0,17}$/, "a positive decimal account id")
      .default("2100000001"),
    ID_ROOT_ACCESS_KEY_ID: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,128}$/, "16-128 letters, digits, '_' or '-'")
      .optional(),
    ID_ROOT_SECRET_ACCESS_KEY: z.string().min(16, "at least 16 characters").max(256).optional(),
    ID_QUOTA_USER_POOLS: positiveInt(100),
    ID_QUOTA_USERS_PER_POOL: positiveInt(1_000_000),
    ID_QUOTA_CREDENTIALS_PER_POOL: positiveInt(1000),
    ID_QUOTA_IDPS_PER_POOL: positiveInt(300),
    ID_QUOTA_CUSTOM_ATTRIBUTES_PER_POOL: positiveInt(50),
    ID_QUOTA_GROUPS_PER_POOL: positiveInt(1000),
    ID_QUOTA_MEMBERS_PER_GROUP: positiveInt(1_000_000),
    ID_QUOTA_GROUPS_PER_USER: positiveInt(100),
    ID_QUOTA_DEPARTMENTS_PER_POOL: positiveInt(50_000),
    ID_QUOTA_DEPARTMENTS_PER_USER: positiveInt(100),
    /** Where clients reach the pools' endpoints (issuer, token, callbacks); default http://<HOST>:<PORT>. */
    ID_PUBLIC_BASE_URL: z
      .string()
      .regex(/^https?:\/\/[^\s?#]+$/, "an http:// or https:// URL without query or fragment, e.g. https://id.example.com")
      .refine((s) => URL.canParse(s) && !new URL(s).username && !new URL(s).password, "must be a valid URL without credentials")
      .optional(),
    /** Custom domains' CNAME targets are <pool uid>.<suffix>; default: the public base URL's host name. */
    ID_DOMAIN_CNAME_TARGET_SUFFIX: z
      .string()
      .refine((s) => normalizeDomain(s).ok, "a domain name such as domains.id.example.com")
      .optional(),
    /** DNS servers custom domains are checked against: ip or ip:port ([v6]:port), comma-separated, or "system". Unset: no checks. */
    ID_DNS_RESOLVERS: z
      .string()
      .refine(
        (s) => s.trim() === "system" || s.split(",").every((r) => isDnsServer(r.trim())),
        'IP addresses with an optional port (127.0.0.1:5353, [::1]:53), comma-separated, or "system"',
      )
      .optional(),
    /** One DNS query's timeout, and how many times each server is asked; a check gives up after timeout x tries. */
    ID_DNS_TIMEOUT_MS: z.coerce.number().int().min(10).max(30_000).default(2000),
    ID_DNS_TRIES: z.coerce.number().int().min(1).max(5).default(2),
    /** A pending domain is looked up at most once per interval (by Get/Update or housekeeping, whichever comes first). */
    ID_DOMAIN_CHECK_INTERVAL_SECONDS: positiveInt(60),
    /** Requests per second per access key, shared by all instances on one database; 0 turns throttling off. */
    ID_RATE_LIMIT_PER_SECOND: z.coerce.number().int().min(0).default(200),
    ID_RATE_LIMIT_BURST: positiveInt(400),
    /** Extra tokens a request pays per password it hashes (CreateUser(s), UpdateUser, CompletePasswordReset); 0: none. */
    ID_RATE_LIMIT_TOKENS_PER_PASSWORD: z.coerce.number().int().min(0).max(1000).default(3),
    /** Extra tokens a request pays per SAML SP key pair it makes (RSA-2048: a few scrypt hashes' CPU); 0: none. */
    ID_RATE_LIMIT_TOKENS_PER_KEY_PAIR: z.coerce.number().int().min(0).max(1000).default(10),
    /** A CSV import pays one extra token per this many rows (rounded up); 0: imports pay one token like any request. */
    ID_RATE_LIMIT_CSV_ROWS_PER_TOKEN: z.coerce.number().int().min(0).max(100_000).default(100),
    /** Password hashes run at once (the rest wait, round-robin per account); default from cores and the threadpool. */
    ID_PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().positive().max(1024).optional(),
    /** libuv's own variable, read here only to size the default of ID_PASSWORD_HASH_CONCURRENCY. */
    UV_THREADPOOL_SIZE: z.coerce.number().int().positive().max(1024).optional(),
    /** on: the exact same signature is refused a second time within the skew window (all instances). */
    ID_REPLAY_PROTECTION: z.enum(["on", "off"]).default("off"),
    /** smtp://user:pass@host:port (or smtps://); holds a password, so it is never logged. Unset: mail stays queued. */
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\/[^\s]+$/, "must be an smtp:// or smtps:// URL")
      .optional(),
    MAIL_FROM: z.string().min(3).max(320).optional(),
    ID_MAIL_MAX_ATTEMPTS: positiveInt(8),
    /** Reset mails one user may be sent per window, across all instances; 0 turns this limit off. */
    ID_RESET_MAIL_PER_USER: z.coerce.number().int().min(0).max(1000).default(5),
    /** Reset mails one address may be sent per window within an account (all its pools); 0: off. */
    ID_RESET_MAIL_PER_ADDRESS: z.coerce.number().int().min(0).max(1000).default(10),
    /** The sliding window of both limits; at most a day (housekeeping keeps the mail log a day). */
    ID_RESET_MAIL_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3600),
    /** How long the server keeps an idle keep-alive connection; behind a proxy, longer than the proxy's. */
    ID_KEEPALIVE_TIMEOUT_SECONDS: positiveInt(5),
    /** A request's headers must arrive within this, its whole body within the next (a slow sender holds a socket). */
    ID_HEADERS_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(10),
    ID_REQUEST_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
    /** SIGTERM: how long in-flight requests may take before the process exits 1 anyway. */
    ID_SHUTDOWN_TIMEOUT_SECONDS: positiveInt(10),
    /** PEM file of CAs trusted for outbound https (OIDC discovery) beside Node's bundled roots. */
    ID_OUTBOUND_CA_FILE: z.string().min(1).optional(),
    /** Comma-separated addresses or CIDR blocks outbound requests may reach although not public. */
    ID_OUTBOUND_ALLOW_ADDRESSES: z
      .string()
      .refine(
        (s) =>
          s
            .split(",")
            .map((e) => e.trim())
            .filter(Boolean)
            .every(isAddressOrBlock),
        "comma-separated IP addresses or CIDR blocks, e.g. 10.0.0.0/8,127.0.0.1",
      )
      .optional(),
    /** on: plain http to a loopback host is allowed for outbound requests (development only). */
    ID_OUTBOUND_ALLOW_HTTP_LOOPBACK: z.enum(["on", "off"]).default("off"),
    /** One bound for a whole outbound exchange, redirects included. */
    ID_OUTBOUND_TIMEOUT_SECONDS: positiveInt(10),
    ID_OUTBOUND_MAX_BYTES: positiveInt(524_288),
    /** Which audiences this instance serves: the signed API, sign-in (the pools' OpenID Providers), or both. */
    ID_SERVE: z.enum(["all", "api", "sign-in"]).default("all"),
    /** Proxies (addresses or CIDR blocks) whose X-Forwarded-For and X-Forwarded-Proto sign-in believes. Unset: none. */
    ID_TRUSTED_PROXIES: z
      .string()
      .refine(
        (s) =>
          s
            .split(",")
            .map((e) => e.trim())
            .filter(Boolean)
            .every(isAddressOrBlock),
        "comma-separated IP addresses or CIDR blocks of your proxies, e.g. 10.0.0.0/8,127.0.0.1",
      )
      .optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .refine((e) => e.DATABASE_POOLER === "none" || e.DATABASE_URL !== undefined, {
    message: "a pooler needs DATABASE_URL (the embedded database has none)",
    path: ["DATABASE_POOLER"],
  })
  .refine((e) => e.DATABASE_DIRECT_URL === undefined || e.DATABASE_POOLER === "pgbouncer", {
    message: "only used with DATABASE_POOLER=pgbouncer (without a pooler, DATABASE_URL is direct already)",
    path: ["DATABASE_DIRECT_URL"],
  })
  .refine((e) => (e.ID_ROOT_ACCESS_KEY_ID === undefined) === (e.ID_ROOT_SECRET_ACCESS_KEY === undefined), {
    message: "set both ID_ROOT_ACCESS_KEY_ID and ID_ROOT_SECRET_ACCESS_KEY, or neither",
    path: ["ID_ROOT_ACCESS_KEY_ID"],
  });

export interface Quotas {
  userPoolsPerAccount: number;
  usersPerPool: number;
  credentialsPerPool: number;
  identityProvidersPerPool: number;
  customAttributesPerPool: number;
  groupsPerPool: number;
  membersPerGroup: number;
  groupsPerUser: number;
  departmentsPerPool: number;
  departmentsPerUser: number;
}

/** A resolver address as node:dns setServers takes it: ip, ipv4:port or [ipv6]:port. */
function isDnsServer(s: string): boolean {
  if (isIP(s)) return true;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(s);
  const ip = m?.[1] ?? m?.[2];
  return ip !== undefined && isIP(ip) !== 0 && Number(m![3]) >= 1 && Number(m![3]) <= 65535;
}

/** How custom domains are checked (src/user-pool-domains/dns-check.ts). */
export interface DomainConfig {
  cnameTargetSuffix: string;
  /** "system": the host's resolvers; []: none configured, so no lookups (domains stay PENDING). */
  resolvers: string[] | "system";
  timeoutMs: number;
  tries: number;
  checkIntervalSeconds: number;
}

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  /** What stands between this instance and Postgres: decides prepared statements and how key changes arrive. */
  database: {
    pooler: DatabasePooler;
    directUrl: string | undefined;
    maxConnections: number;
    connectTimeoutSeconds: number;
    /** Bound of every statement in ms (connect.ts); 0: none. */
    statementTimeoutMs: number;
    /** Created users after which a call refreshes the users table's statistics (src/platform/db/statistics.ts); 0: never. */
    analyzeAfterRows: number;
  };
  /** Requests per account in progress at once on this instance, and how many more may wait (gateway/account-slots.ts). */
  accountConcurrency: { active: number; queued: number };
  dataDir: string;
  embeddedEngine: "postgres" | "pglite" | undefined;
  region: string;
  /** The pools' public endpoints hang under it (src/user-pools/endpoints.ts); no trailing slash. */
  publicBaseUrl: string;
  domains: DomainConfig;
  maxSkewSeconds: number;
  bodyLimitBytes: number;
  /** base64; undefined only in embedded mode, where main.ts generates and keeps one in dataDir. */
  masterKey: string | undefined;
  previousMasterKeys: string[];
  rootAccountId: string;
  rootAccessKey: { accessKeyId: string; secretAccessKey: string } | undefined;
  quotas: Quotas;
  /**
   * Token bucket per access key; perSecond 0 means off. A request pays 1, plus tokensPerPassword ×
   * passwords hashed, tokensPerKeyPair × SP key pairs made, ⌈rows / csvRowsPerToken⌉ for a CSV import.
   */
  rateLimit: { perSecond: number; burst: number; tokensPerPassword: number; tokensPerKeyPair: number; csvRowsPerToken: number };
  /** Password hashes handed to the libuv threadpool at once (src/users/hash-queue.ts). */
  passwordHashConcurrency: number;
  replayProtection: boolean;
  /** Outgoing mail; smtpUrl undefined means messages stay in the outbox (see `mail list`). */
  mail: { smtpUrl: string | undefined; from: string; maxAttempts: number };
  /** ResetPassword mails per user and per address (in an account) per sliding window; 0 means no limit. */
  resetMailLimits: { perUser: number; perAddress: number; windowSeconds: number };
  /** Idle keep-alive connections are closed after this (Node's server.keepAliveTimeout). */
  keepAliveTimeoutSeconds: number;
  /** Node's headersTimeout and requestTimeout, checked every second (src/compose.ts). */
  httpTimeouts: { headersSeconds: number; requestSeconds: number };
  /** Hard stop after SIGTERM; draining normally ends long before it. */
  shutdownTimeoutSeconds: number;
  /** How OIDC discovery and any other tenant-given URL is fetched (src/platform/outbound/guarded-fetch.ts). */
  outbound: OutboundPolicy;
  /** all: one process serves both audiences; api or sign-in: only that one (src/app.ts). */
  serve: "all" | "api" | "sign-in";
  /** ID_TRUSTED_PROXIES: addresses and CIDR blocks whose forwarded headers sign-in believes (src/sign-in/request-info.ts). */
  trustedProxies: string[];
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
}

function readCaFile(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  let pem: string;
  try {
    pem = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(
      `invalid configuration:\n  ID_OUTBOUND_CA_FILE: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----"))
    throw new ConfigError(`invalid configuration:\n  ID_OUTBOUND_CA_FILE: ${path} holds no PEM certificate`);
  return pem;
}

/** The configured suffix, else the public base URL's host name; "localhost" when that is an IP address (no name to hang targets under). */
function cnameTargetSuffix(configured: string | undefined, publicBaseUrl: string): string {
  const r = normalizeDomain(configured ?? new URL(publicBaseUrl).hostname);
  return r.ok ? r.domain : "localhost";
}

export type DatabasePooler = z.infer<typeof envSchema>["DATABASE_POOLER"];

export class ConfigError extends Error {}

/** Parses the environment; throws ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "environment"}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const previous = (e.ID_MASTER_KEYS_PREVIOUS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const key of previous) {
    if (!base64Key.safeParse(key).success) {
      throw new ConfigError("invalid configuration:\n  ID_MASTER_KEYS_PREVIOUS: each key must be 32 bytes, base64");
    }
  }
  if (e.DATABASE_URL && !e.ID_MASTER_KEY) {
    throw new ConfigError(
      "invalid configuration:\n  ID_MASTER_KEY: required with DATABASE_URL. Secrets in a shared database are " +
        "encrypted under it; generate one with `openssl rand -base64 32` and keep it safe.",
    );
  }
  if (e.ID_HEADERS_TIMEOUT_SECONDS > e.ID_REQUEST_TIMEOUT_SECONDS) {
    throw new ConfigError(
      "invalid configuration:\n  ID_HEADERS_TIMEOUT_SECONDS: must not exceed ID_REQUEST_TIMEOUT_SECONDS (the headers are part of the request)",
    );
  }
  if (e.SMTP_URL && !e.MAIL_FROM) {
    throw new ConfigError(
      'invalid configuration:\n  MAIL_FROM: required with SMTP_URL (the sender address, e.g. "idplane <no-reply@example.com>")',
    );
  }
  const publicBaseUrl = (e.ID_PUBLIC_BASE_URL ?? `http://${e.HOST.includes(":") ? `[${e.HOST}]` : e.HOST}:${e.PORT}`).replace(/\/+$/, "");
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    database: {
      pooler: e.DATABASE_POOLER,
      directUrl: e.DATABASE_DIRECT_URL,
      maxConnections: e.DATABASE_MAX_CONNECTIONS,
      connectTimeoutSeconds: e.DATABASE_CONNECT_TIMEOUT_SECONDS,
      statementTimeoutMs: e.ID_STATEMENT_TIMEOUT_MS,
      analyzeAfterRows: e.ID_ANALYZE_AFTER_IMPORT_ROWS,
    },
    // Half the pool by default: one account's requests (each holding one connection at a time) leave the other half to everyone else.
    accountConcurrency: {
      active: e.ID_ACCOUNT_CONCURRENCY ?? Math.max(1, Math.floor(e.DATABASE_MAX_CONNECTIONS / 2)),
      queued: e.ID_ACCOUNT_QUEUE,
    },
    dataDir: e.ID_DATA_DIR,
    embeddedEngine: e.ID_EMBEDDED_ENGINE,
    region: e.ID_REGION,
    publicBaseUrl,
    domains: {
      cnameTargetSuffix: cnameTargetSuffix(e.ID_DOMAIN_CNAME_TARGET_SUFFIX, publicBaseUrl),
      resolvers:
        e.ID_DNS_RESOLVERS?.trim() === "system"
          ? "system"
          : (e.ID_DNS_RESOLVERS ?? "")
              .split(",")
              .map((r) => r.trim())
              .filter(Boolean),
      timeoutMs: e.ID_DNS_TIMEOUT_MS,
      tries: e.ID_DNS_TRIES,
      checkIntervalSeconds: e.ID_DOMAIN_CHECK_INTERVAL_SECONDS,
    },
    maxSkewSeconds: e.ID_MAX_SKEW_SECONDS,
    bodyLimitBytes: e.ID_BODY_LIMIT_BYTES,
    masterKey: e.ID_MASTER_KEY,
    previousMasterKeys: previous,
    rootAccountId: e.ID_ROOT_ACCOUNT_ID,
    rootAccessKey:
      e.ID_ROOT_ACCESS_KEY_ID && e.ID_ROOT_SECRET_ACCESS_KEY
        ? { accessKeyId: e.ID_ROOT_ACCESS_KEY_ID, secretAccessKey: e.ID_ROOT_SECRET_ACCESS_KEY }
        : undefined,
    quotas: {
      userPoolsPerAccount: e.ID_QUOTA_USER_POOLS,
      usersPerPool: e.ID_QUOTA_USERS_PER_POOL,
      credentialsPerPool: e.ID_QUOTA_CREDENTIALS_PER_POOL,
      identityProvidersPerPool: e.ID_QUOTA_IDPS_PER_POOL,
      customAttributesPerPool: e.ID_QUOTA_CUSTOM_ATTRIBUTES_PER_POOL,
      groupsPerPool: e.ID_QUOTA_GROUPS_PER_POOL,
      membersPerGroup: e.ID_QUOTA_MEMBERS_PER_GROUP,
      groupsPerUser: e.ID_QUOTA_GROUPS_PER_USER,
      departmentsPerPool: e.ID_QUOTA_DEPARTMENTS_PER_POOL,
      departmentsPerUser: e.ID_QUOTA_DEPARTMENTS_PER_USER,
    },
    rateLimit: {
      perSecond: e.ID_RATE_LIMIT_PER_SECOND,
      burst: e.ID_RATE_LIMIT_BURST,
      tokensPerPassword: e.ID_RATE_LIMIT_TOKENS_PER_PASSWORD,
      tokensPerKeyPair: e.ID_RATE_LIMIT_TOKENS_PER_KEY_PAIR,
      csvRowsPerToken: e.ID_RATE_LIMIT_CSV_ROWS_PER_TOKEN,
    },
    passwordHashConcurrency: e.ID_PASSWORD_HASH_CONCURRENCY ?? defaultHashConcurrency(e.UV_THREADPOOL_SIZE),
    replayProtection: e.ID_REPLAY_PROTECTION === "on",
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM ?? "", maxAttempts: e.ID_MAIL_MAX_ATTEMPTS },
    resetMailLimits: {
      perUser: e.ID_RESET_MAIL_PER_USER,
      perAddress: e.ID_RESET_MAIL_PER_ADDRESS,
      windowSeconds: e.ID_RESET_MAIL_WINDOW_SECONDS,
    },
    keepAliveTimeoutSeconds: e.ID_KEEPALIVE_TIMEOUT_SECONDS,
    httpTimeouts: { headersSeconds: e.ID_HEADERS_TIMEOUT_SECONDS, requestSeconds: e.ID_REQUEST_TIMEOUT_SECONDS },
    shutdownTimeoutSeconds: e.ID_SHUTDOWN_TIMEOUT_SECONDS,
    outbound: {
      allowedAddresses: (e.ID_OUTBOUND_ALLOW_ADDRESSES ?? "")
        .split(",")
        .map((a) => a.trim())
        .filter(Boolean),
      allowHttpLoopback: e.ID_OUTBOUND_ALLOW_HTTP_LOOPBACK === "on",
      extraCa: readCaFile(e.ID_OUTBOUND_CA_FILE),
      maxBytes: e.ID_OUTBOUND_MAX_BYTES,
      timeoutMs: e.ID_OUTBOUND_TIMEOUT_SECONDS * 1000,
      maxRedirects: 3,
    },
    serve: e.ID_SERVE,
    trustedProxies: (e.ID_TRUSTED_PROXIES ?? "")
      .split(",")
      .map((a) => a.trim())
      .filter(Boolean),
    logLevel: e.LOG_LEVEL,
  };
}
