// The service's configuration: the environment parsed once with zod. Nothing else reads process.env.
import { z } from "zod";

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const base64Key = z
  .string()
  .refine((s) => /^[A-Za-z0-9+/]+={0,2}$/.test(s) && Buffer.from(s, "base64").length === 32, {
    message: "must be 32 bytes, base64-encoded (openssl rand -base64 32)",
  });

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().min(1).default("127.0.0.1"),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
    ID_DATA_DIR: z.string().min(1).default("./.idplane"),
    ID_REGION: z.string().regex(/^[a-z0-9-]+$/, "lower-case letters, digits and '-'").default("cn-beijing"),
    ID_MAX_SKEW_SECONDS: positiveInt(900),
    ID_BODY_LIMIT_BYTES: positiveInt(1_048_576),
    ID_MASTER_KEY: base64Key.optional(),
    /** Earlier master keys, comma-separated, kept only to decrypt until `keys rotate-master` has run. */
    ID_MASTER_KEYS_PREVIOUS: z.string().optional(),
    ID_ROOT_ACCOUNT_ID: z.string().regex(/^[1-9][0-9]{0,17}$/, "a positive decimal account id").default("2100000001"),
    ID_ROOT_ACCESS_KEY_ID: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, "16-128 letters, digits, '_' or '-'").optional(),
    ID_ROOT_SECRET_ACCESS_KEY: z.string().min(16, "at least 16 characters").max(256).optional(),
    ID_QUOTA_USER_POOLS: positiveInt(100),
    ID_QUOTA_USERS_PER_POOL: positiveInt(1_000_000),
    ID_QUOTA_CREDENTIALS_PER_POOL: positiveInt(1000),
    ID_QUOTA_IDPS_PER_POOL: positiveInt(300),
    /** Requests per second per access key, shared by all instances on one database; 0 turns throttling off. */
    ID_RATE_LIMIT_PER_SECOND: z.coerce.number().int().min(0).default(200),
    ID_RATE_LIMIT_BURST: positiveInt(400),
    /** on: the exact same signature is refused a second time within the skew window (all instances). */
    ID_REPLAY_PROTECTION: z.enum(["on", "off"]).default("off"),
    /** smtp://user:pass@host:port (or smtps://); holds a password, so it is never logged. Unset: mail stays queued. */
    SMTP_URL: z.string().regex(/^smtps?:\/\/[^\s]+$/, "must be an smtp:// or smtps:// URL").optional(),
    MAIL_FROM: z.string().min(3).max(320).optional(),
    ID_MAIL_MAX_ATTEMPTS: positiveInt(8),
    /** How long the server keeps an idle keep-alive connection; behind a proxy, longer than the proxy's. */
    ID_KEEPALIVE_TIMEOUT_SECONDS: positiveInt(5),
    /** SIGTERM: how long in-flight requests may take before the process exits 1 anyway. */
    ID_SHUTDOWN_TIMEOUT_SECONDS: positiveInt(10),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
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
}

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  region: string;
  maxSkewSeconds: number;
  bodyLimitBytes: number;
  /** base64; undefined only in embedded mode, where main.ts generates and keeps one in dataDir. */
  masterKey: string | undefined;
  previousMasterKeys: string[];
  rootAccountId: string;
  rootAccessKey: { accessKeyId: string; secretAccessKey: string } | undefined;
  quotas: Quotas;
  /** Token bucket per access key; perSecond 0 means off. */
  rateLimit: { perSecond: number; burst: number };
  replayProtection: boolean;
  /** Outgoing mail; smtpUrl undefined means messages stay in the outbox (see `mail list`). */
  mail: { smtpUrl: string | undefined; from: string; maxAttempts: number };
  /** Idle keep-alive connections are closed after this (Node's server.keepAliveTimeout). */
  keepAliveTimeoutSeconds: number;
  /** Hard stop after SIGTERM; draining normally ends long before it. */
  shutdownTimeoutSeconds: number;
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
}

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
  const previous = (e.ID_MASTER_KEYS_PREVIOUS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
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
  if (e.SMTP_URL && !e.MAIL_FROM) {
    throw new ConfigError("invalid configuration:\n  MAIL_FROM: required with SMTP_URL (the sender address, e.g. \"idplane <no-reply@example.com>\")");
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.ID_DATA_DIR,
    region: e.ID_REGION,
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
    },
    rateLimit: { perSecond: e.ID_RATE_LIMIT_PER_SECOND, burst: e.ID_RATE_LIMIT_BURST },
    replayProtection: e.ID_REPLAY_PROTECTION === "on",
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM ?? "", maxAttempts: e.ID_MAIL_MAX_ATTEMPTS },
    keepAliveTimeoutSeconds: e.ID_KEEPALIVE_TIMEOUT_SECONDS,
    shutdownTimeoutSeconds: e.ID_SHUTDOWN_TIMEOUT_SECONDS,
    logLevel: e.LOG_LEVEL,
  };
}
