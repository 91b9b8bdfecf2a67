// Test harness: a real idplane server on 127.0.0.1 over the database global-setup chose, with a fresh
// random account (admin and readonly keys) per service, a second account for isolation checks, a
// settable clock, captured log lines, and clients that sign with the official Node SDK.
import { randomBytes, randomInt } from "node:crypto";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { serve } from "@hono/node-server";
import { Service } from "@volcengine/openapi";
import { inject } from "vitest";
import { createAccessKey, type NewAccessKey } from "../../src/access-keys/service.js";
import { createAccessKeyResolver } from "../../src/access-keys/resolver.js";
import { createServerApp, type ServerFetch } from "../../src/app.js";
import { loadConfig, type Config, type DatabasePooler } from "../../src/platform/config.js";
import { SecretBox } from "../../src/platform/crypto/secret-box.js";
import { connectDatabase, hostsOf, type DatabaseHandle } from "../../src/platform/db/connect.js";
import { migrate } from "../../src/platform/db/migrator.js";
import { createLimits, type AppDeps, type Clock } from "../../src/deps.js";
import { createLogger } from "../../src/platform/log.js";

export const VERSION = "2025-10-30";
export const REGION = "cn-beijing";
// One master key per test process: every service of a file can open what another sealed.
const MASTER_KEY = randomBytes(32).toString("base64");

let shared: Promise<DatabaseHandle> | undefined;

/**
 * What stands between a test and the Postgres of `databaseUrl`: the suite's pooler ("pgbouncer" in
 * the suite's PgBouncer pass) for any database reached at the suite's address, else nothing.
 */
export function poolerFor(databaseUrl: string | undefined): DatabasePooler {
  const suite = inject("databaseUrl");
  if (!databaseUrl || !suite) return "none";
  return hostsOf(databaseUrl).join() === hostsOf(suite).join() ? inject("databasePooler") : "none";
}

/** A handle on a database (global setup's by default), through the suite's pooler when it is at the suite's address. */
export const connectTestDatabase = (databaseUrl = inject("databaseUrl"), maxConnections = 5) =>
  connectDatabase({ databaseUrl, dataDir: "memory://", maxConnections, pooler: poolerFor(databaseUrl) });

/** The file's database handle: Postgres from global setup, or one in-memory PGlite per test file. */
export function testDatabase(): Promise<DatabaseHandle> {
  shared ??= (async () => {
    const handle = await connectTestDatabase();
    await migrate(handle.db);
    return handle;
  })();
  return shared;
}

export const randomAccountId = () => String(randomInt(3_000_000_000, 281_474_976_710_655));

export class TestClock implements Clock {
  offsetMs = 0;
  now() {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(seconds: number) {
    this.offsetMs += seconds * 1000;
  }
}

export interface ServiceOptions {
  env?: Record<string, string>;
  clock?: TestClock;
  /** Another (migrated here) database instead of the file's shared one; closed with the service. */
  databaseUrl?: string;
  /** What databaseUrl points at; default: poolerFor(databaseUrl). */
  pooler?: DatabasePooler;
}

export interface CallOptions {
  method?: "GET" | "POST";
  contentType?: "json" | "urlencode";
}

export interface TestService {
  url: string;
  host: string;
  deps: AppDeps;
  config: Config;
  clock: TestClock;
  accountId: string;
  admin: NewAccessKey;
  readonly: NewAccessKey;
  /** An admin key of another account, to prove isolation. */
  otherAdmin: NewAccessKey;
  /** Log lines written while the service ran (JSON text). */
  logs: string[];
  /** Calls an action through the official SDK with the given key (admin by default); returns the envelope. */
  call(action: string, params?: Record<string, unknown>, opts?: CallOptions & { key?: NewAccessKey }): Promise<Envelope>;
  /** Calls and asserts success; returns Result. */
  ok<T = any>(action: string, params?: Record<string, unknown>, opts?: CallOptions & { key?: NewAccessKey }): Promise<T>;
  newKey(role: "admin" | "readonly", accountId?: string): Promise<NewAccessKey>;
  close(): Promise<void>;
}

export interface Envelope {
  ResponseMetadata: {
    RequestId: string;
    Action: string;
    Version: string;
    Service: string;
    Region: string;
    Error?: { Code: string; CodeN?: number; Message: string };
  };
  Result?: any;
}

const SDK_TIMEOUT_MS = 120_000;

export async function startTestService(opts: ServiceOptions = {}): Promise<TestService> {
  const databaseUrl = opts.databaseUrl ?? inject("databaseUrl");
  const pooler = opts.pooler ?? poolerFor(databaseUrl);
  // Listening first, so the pools' public addresses (ID_PUBLIC_BASE_URL) are this server's own and
  // sign-in's issuers are reachable; the app is plugged in once the configuration exists.
  let fetchApp: ServerFetch = () => new Response(null, { status: 503 });
  const server = serve({ fetch: (req, env) => fetchApp(req, env), port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const host = `127.0.0.1:${port}`;
  const config = loadConfig({
    ID_PUBLIC_BASE_URL: `http://${host}`,
    ID_MASTER_KEY: MASTER_KEY,
    DATABASE_URL: databaseUrl,
    ...(databaseUrl && { DATABASE_POOLER: pooler }),
    ID_REGION: REGION,
    LOG_LEVEL: "debug",
    // High enough that ordinary tests are never throttled; throttling tests set their own.
    ID_RATE_LIMIT_PER_SECOND: "100000",
    ID_RATE_LIMIT_BURST: "200000",
    ...opts.env,
  });
  // A database of the service's own gets the service's statement bound (the shared one has none).
  const own = opts.databaseUrl
    ? await connectDatabase({
        databaseUrl: opts.databaseUrl,
        maxConnections: opts.env?.DATABASE_MAX_CONNECTIONS ? config.database.maxConnections : 5,
        pooler,
        statementTimeoutMs: config.database.statementTimeoutMs,
      })
    : undefined;
  if (own) await migrate(own.db);
  const database = own ?? (await testDatabase());
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const log = createLogger(config.logLevel, sink);
  const secretBox = new SecretBox(MASTER_KEY);
  const clock = opts.clock ?? new TestClock();
  const deps: AppDeps = {
    config,
    db: database.db,
    secretBox,
    accessKeys: createAccessKeyResolver({ db: database.db, secretBox }, { ttlMs: 200, negativeTtlMs: 50 }),
    log,
    clock,
    ...createLimits(config, database.db),
  };
  fetchApp = createServerApp(deps).fetch;

  const accountId = randomAccountId();
  const newKey = (role: "admin" | "readonly", account = accountId) => createAccessKey(deps, { accountId: account, role });
  const [admin, readonly, otherAdmin] = await Promise.all([newKey("admin"), newKey("readonly"), newKey("admin", randomAccountId())]);

  const call: TestService["call"] = async (action, params = {}, callOpts = {}) => {
    const key = callOpts.key ?? admin;
    const svc = new Service({
      host,
      protocol: "http:",
      region: REGION,
      serviceName: "id",
      accessKeyId: key.accessKeyId,
      secretKey: key.secretAccessKey,
    });
    const method = callOpts.method ?? "POST";
    const api =
      method === "GET"
        ? svc.createAPI(action, { Version: VERSION, method: "GET" })
        : svc.createAPI(action, { Version: VERSION, method: "POST", contentType: callOpts.contentType ?? "json" });
    // The SDK's own 10 s request timeout is a loaded machine's normal latency for a burst of scrypt
    // work (ten concurrent password writes); each test's timeout bounds a hang instead.
    return (await api(params, { timeout: SDK_TIMEOUT_MS } as never)) as unknown as Envelope;
  };

  return {
    url: `http://${host}`,
    host,
    deps,
    config,
    clock,
    accountId,
    admin,
    readonly,
    otherAdmin,
    logs,
    call,
    async ok(action, params, callOpts) {
      const env = await call(action, params, callOpts);
      if (env.ResponseMetadata?.Error || env.Result === undefined) {
        throw new Error(`${action} failed: ${JSON.stringify(env.ResponseMetadata?.Error ?? env)}`);
      }
      return env.Result;
    },
    newKey,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await own?.close();
    },
  };
}

/** The error code of an envelope, or "OK". */
export const codeOf = (env: Envelope) => env.ResponseMetadata.Error?.Code ?? "OK";
