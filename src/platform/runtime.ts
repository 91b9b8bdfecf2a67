// Opens everything the service runs on, shared by the server, the CLI and the test harness: the
// master key, the database (migrated), the access-key resolver, and the root key bootstrap.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bootstrapRootKey, type BootstrapOutcome } from "../access-keys/service.js";
import { followAccessKeyChanges, type KeyChangeFollower } from "../access-keys/key-changes.js";
import { createAccessKeyResolver } from "../access-keys/resolver.js";
import type { Config } from "./config.js";
import { generateMasterKey, SecretBox } from "./crypto/secret-box.js";
import { connectDatabase, type DatabaseHandle } from "./db/connect.js";
import { migrate } from "./db/migrator.js";
import { preparePrivateDir } from "./db/private-dir.js";
import { createLimits, systemClock, type AppDeps, type Clock } from "../deps.js";
import type { Logger } from "./log.js";

export interface Runtime {
  deps: AppDeps;
  database: DatabaseHandle;
  bootstrap: BootstrapOutcome;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  clock?: Clock;
  /** Skip creating a first key (the CLI manages keys itself). */
  skipBootstrap?: boolean;
  /** The CLI: attach to the embedded Postgres a running server owns instead of refusing. */
  attach?: boolean;
  /** Access-key cache lifetime; tests shorten it. */
  accessKeyTtlMs?: number;
}

/**
 * The master key: from ID_MASTER_KEY, or in embedded mode from <dataDir>/master.key, created on
 * first start with mode 0600. loadConfig already refused DATABASE_URL without a key.
 */
export function resolveMasterKey(config: Config): string {
  if (config.masterKey) return config.masterKey;
  if (config.databaseUrl) throw new Error("ID_MASTER_KEY is required with DATABASE_URL");
  const file = join(config.dataDir, "master.key");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  preparePrivateDir(config.dataDir);
  const key = generateMasterKey();
  writeFileSync(file, key + "\n", { mode: 0o600 });
  return key;
}

export async function openRuntime(config: Config, log: Logger, opts: RuntimeOptions = {}): Promise<Runtime> {
  const secretBox = new SecretBox(resolveMasterKey(config), config.previousMasterKeys);
  const database = await connectDatabase({
    databaseUrl: config.databaseUrl, dataDir: config.dataDir, embeddedEngine: config.embeddedEngine, attach: opts.attach ?? false, pooler: config.database.pooler,
    maxConnections: config.database.maxConnections, connectTimeoutSeconds: config.database.connectTimeoutSeconds,
    statementTimeoutMs: config.database.statementTimeoutMs, log,
  });
  let keyChanges: KeyChangeFollower | undefined;
  try {
    const applied = await migrate(database.db);
    if (applied.length) log.info({ applied }, "migrations applied");
    const accessKeys = createAccessKeyResolver({ db: database.db, secretBox }, opts.accessKeyTtlMs === undefined ? {} : { ttlMs: opts.accessKeyTtlMs });
    const deps: AppDeps = { config, db: database.db, secretBox, accessKeys, log, clock: opts.clock ?? systemClock, ...createLimits(config, database.db) };
    keyChanges = await followAccessKeyChanges({ database, config, resolver: accessKeys, log });
    const bootstrap: BootstrapOutcome = opts.skipBootstrap
      ? { kind: "existing" }
      : await bootstrapRootKey(deps, { accountId: config.rootAccountId, accessKey: config.rootAccessKey });
    return {
      deps,
      database,
      bootstrap,
      close: async () => {
        await keyChanges?.stop();
        await database.close();
      },
    };
  } catch (err) {
    await keyChanges?.stop();
    await database.close();
    throw err;
  }
}
