// Opens everything the service runs on, shared by the server, the CLI and the test harness: the
// master key, the database (migrated), the access-key resolver, and the root key bootstrap.
import { lstatSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bootstrapRootKey, type BootstrapOutcome } from "../access-keys/service.js";
import { followAccessKeyChanges, type KeyChangeFollower } from "../access-keys/key-changes.js";
import { createAccessKeyResolver } from "../access-keys/resolver.js";
import { ConfigError, type Config } from "./config.js";
import { findAccessKey } from "../access-keys/queries.js";
import { generateMasterKey, keyIdOf, SecretBox } from "./crypto/secret-box.js";
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
  // lstat, not exists: a dangling link is there too, and must not be written through.
  if (lstatSync(file, { throwIfNoEntry: false })) {
    checkKeyFileOwner(file);
    return readFileSync(file, "utf8").trim();
  }
  preparePrivateDir(config.dataDir);
  const key = generateMasterKey();
  writeFileSync(file, key + "\n", { mode: 0o600, flag: "wx" });
  return key;
}

/**
 * master.key must be a plain file of this process's user. Run as root, an earlier version gave the
 * data directory to the embedded database's user, who could have replaced the key (issue 22): a key
 * file of another user, or a link, is refused rather than trusted.
 */
function checkKeyFileOwner(file: string): void {
  const st = lstatSync(file);
  const uid = typeof process.getuid === "function" ? process.getuid() : st.uid;
  if (st.isFile() && st.uid === uid) return;
  throw new ConfigError(
    `${file} is ${st.isFile() ? `owned by uid ${st.uid}, not by this process's user (uid ${uid})` : "not a plain file"}: another user could have replaced it. ` +
      "If it is the key this data directory was created with, make it a plain file owned by this user (chown) and start again.",
  );
}

/**
 * A restart with another master key (the README's `export ID_MASTER_KEY=$(openssl rand ...)` run
 * again in a new shell) started, said the first admin key was still valid, then answered every signed
 * call with 500. When that key is sealed under a key not configured, start-up stops and says which.
 */
async function checkFirstKeyOpens(deps: AppDeps, bootstrap: BootstrapOutcome): Promise<void> {
  if (bootstrap.kind !== "existing" || !bootstrap.firstKey) return;
  const row = await findAccessKey(deps.db, bootstrap.firstKey.accessKeyId);
  const { masterKey, previousMasterKeys, dataDir } = deps.config;
  const configured = [deps.secretBox.currentKeyId, ...previousMasterKeys.map((k) => keyIdOf(Buffer.from(k, "base64")))];
  if (!row || configured.includes(row.secret_key_id)) return;
  const where = masterKey ? "ID_MASTER_KEY" : `${join(dataDir, "master.key")}`;
  throw new ConfigError(
    `the admin access key ${row.access_key_id} (and whatever else was stored with it) is sealed under the master key with id ${row.secret_key_id}, ` +
      `which is not configured: ${where} now holds the key with id ${configured[0]}. Restore the key with id ${row.secret_key_id} ` +
      `(${masterKey ? "e.g. export ID_MASTER_KEY=$(cat .idplane-master-key), from the file you keep it in" : "put its master.key back"}); ` +
      'or, to move to the new key, list the old one in ID_MASTER_KEYS_PREVIOUS and run `npm run cli -- keys rotate-master` (docs/operations.md, "Rotating the master key").',
  );
}

/**
 * How every process of ours (the server, each CLI command) connects to the configured database:
 * the pooler setting above all, since prepared statements break behind PgBouncer's transaction mode.
 */
export function databaseOptionsOf(config: Config) {
  return {
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    embeddedEngine: config.embeddedEngine,
    pooler: config.database.pooler,
    maxConnections: config.database.maxConnections,
    connectTimeoutSeconds: config.database.connectTimeoutSeconds,
    statementTimeoutMs: config.database.statementTimeoutMs,
  };
}

export async function openRuntime(config: Config, log: Logger, opts: RuntimeOptions = {}): Promise<Runtime> {
  const secretBox = new SecretBox(resolveMasterKey(config), config.previousMasterKeys);
  const database = await connectDatabase({ ...databaseOptionsOf(config), attach: opts.attach ?? false, log });
  let keyChanges: KeyChangeFollower | undefined;
  try {
    const applied = await migrate(database.db);
    if (applied.length) log.info({ applied }, "migrations applied");
    const accessKeys = createAccessKeyResolver(
      { db: database.db, secretBox },
      opts.accessKeyTtlMs === undefined ? {} : { ttlMs: opts.accessKeyTtlMs },
    );
    const deps: AppDeps = {
      config,
      db: database.db,
      secretBox,
      accessKeys,
      log,
      clock: opts.clock ?? systemClock,
      ...createLimits(config, database.db),
    };
    keyChanges = await followAccessKeyChanges({ database, config, resolver: accessKeys, log });
    const bootstrap: BootstrapOutcome = opts.skipBootstrap
      ? { kind: "existing" }
      : await bootstrapRootKey(deps, { accountId: config.rootAccountId, accessKey: config.rootAccessKey });
    await checkFirstKeyOpens(deps, bootstrap);
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
