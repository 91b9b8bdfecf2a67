// Configuration: defaults, coercion, and clear refusals.
import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/platform/config.js";

const key = Buffer.alloc(32, 7).toString("base64");

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    expect(loadConfig({})).toMatchObject({
      port: 8080,
      host: "127.0.0.1",
      databaseUrl: undefined,
      dataDir: "./.idplane",
      region: "cn-beijing",
      maxSkewSeconds: 900,
      bodyLimitBytes: 1_048_576,
      rootAccountId: "2100000001",
      rootAccessKey: undefined,
      quotas: {
        userPoolsPerAccount: 100,
        usersPerPool: 1_000_000,
        credentialsPerPool: 1000,
        identityProvidersPerPool: 300,
        customAttributesPerPool: 50,
        groupsPerPool: 1000,
        membersPerGroup: 1_000_000,
        groupsPerUser: 100,
      },
      publicBaseUrl: "http://127.0.0.1:8080",
    });
  });

  it("sizes password hashing from the cores and the threadpool, and charges 3 tokens a password", () => {
    const cores = availableParallelism();
    expect(loadConfig({}).passwordHashConcurrency).toBe(Math.max(1, Math.min(cores, 3)));
    expect(loadConfig({ UV_THREADPOOL_SIZE: "1" }).passwordHashConcurrency).toBe(1);
    expect(loadConfig({ ID_PASSWORD_HASH_CONCURRENCY: "7" }).passwordHashConcurrency).toBe(7);
    expect(loadConfig({}).rateLimit).toEqual({
      perSecond: 200,
      burst: 400,
      tokensPerPassword: 3,
      tokensPerKeyPair: 10,
      csvRowsPerToken: 100,
    });
    expect(loadConfig({ ID_RATE_LIMIT_TOKENS_PER_PASSWORD: "0" }).rateLimit.tokensPerPassword).toBe(0);
    expect(() => loadConfig({ ID_RATE_LIMIT_TOKENS_PER_PASSWORD: "-1" })).toThrow(/ID_RATE_LIMIT_TOKENS_PER_PASSWORD/);
    expect(() => loadConfig({ ID_PASSWORD_HASH_CONCURRENCY: "0" })).toThrow(/ID_PASSWORD_HASH_CONCURRENCY/);
  });

  it("derives the public base URL from HOST and PORT unless ID_PUBLIC_BASE_URL says, and checks it", () => {
    expect(loadConfig({ HOST: "::1", PORT: "9000" }).publicBaseUrl).toBe("http://[::1]:9000");
    expect(loadConfig({ ID_PUBLIC_BASE_URL: "https://id.example.com/auth/" }).publicBaseUrl).toBe("https://id.example.com/auth");
    for (const bad of ["id.example.com", "ftp://id.example.com", "https://id.example.com/?a=1", "https://u:p@id.example.com"]) {
      expect(() => loadConfig({ ID_PUBLIC_BASE_URL: bad }), bad).toThrow(/ID_PUBLIC_BASE_URL/);
    }
  });

  it("coerces numbers and treats empty variables as unset", () => {
    expect(loadConfig({ PORT: "9000", ID_MAX_SKEW_SECONDS: "60", HOST: "" })).toMatchObject({
      port: 9000,
      maxSkewSeconds: 60,
      host: "127.0.0.1",
    });
  });

  it("names every bad variable", () => {
    const err = (() => {
      try {
        loadConfig({ PORT: "http", ID_MASTER_KEY: "short", DATABASE_URL: "mysql://x" });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toMatch(/PORT/);
    expect(err!.message).toMatch(/ID_MASTER_KEY: must be 32 bytes/);
    expect(err!.message).toMatch(/DATABASE_URL/);
  });

  it("refuses DATABASE_URL without a master key, saying why", () => {
    expect(() => loadConfig({ DATABASE_URL: "postgres://localhost/x" })).toThrow(/ID_MASTER_KEY: required with DATABASE_URL/);
    expect(loadConfig({ DATABASE_URL: "postgres://localhost/x", ID_MASTER_KEY: key }).masterKey).toBe(key);
  });

  it("wants both halves of the root key or neither", () => {
    expect(() => loadConfig({ ID_ROOT_ACCESS_KEY_ID: "AKLTrootkey0000000" })).toThrow(/set both/);
    expect(loadConfig({ ID_ROOT_ACCESS_KEY_ID: "AKLTrootkey0000000", ID_ROOT_SECRET_ACCESS_KEY: "s".repeat(20) }).rootAccessKey).toEqual({
      accessKeyId: "AKLTrootkey0000000",
      secretAccessKey: "s".repeat(20),
    });
  });

  it("limits reset mails: 5 per user and 10 per address an hour by default, 0 turns a limit off, a window of at most a day", () => {
    expect(loadConfig({}).resetMailLimits).toEqual({ perUser: 5, perAddress: 10, windowSeconds: 3600 });
    expect(
      loadConfig({ ID_RESET_MAIL_PER_USER: "0", ID_RESET_MAIL_PER_ADDRESS: "0", ID_RESET_MAIL_WINDOW_SECONDS: "86400" }).resetMailLimits,
    ).toEqual({ perUser: 0, perAddress: 0, windowSeconds: 86_400 });
    for (const env of [
      { ID_RESET_MAIL_PER_USER: "-1" },
      { ID_RESET_MAIL_PER_ADDRESS: "2.5" },
      { ID_RESET_MAIL_WINDOW_SECONDS: "86401" },
      { ID_RESET_MAIL_WINDOW_SECONDS: "0" },
    ]) {
      expect(() => loadConfig(env)).toThrow(new RegExp(Object.keys(env)[0]!));
    }
  });

  it("reads the database pooler settings and refuses combinations that cannot work", () => {
    const url = { DATABASE_URL: "postgres://pgbouncer:6432/x", ID_MASTER_KEY: key };
    expect(loadConfig({}).database).toEqual({
      pooler: "none",
      directUrl: undefined,
      maxConnections: 10,
      connectTimeoutSeconds: 3,
      statementTimeoutMs: 10_000,
      analyzeAfterRows: 1000,
    });
    expect(loadConfig({}).accountConcurrency).toEqual({ active: 5, queued: 200 });
    expect(loadConfig({ DATABASE_MAX_CONNECTIONS: "1" }).accountConcurrency.active).toBe(1);
    expect(
      loadConfig({ ...url, DATABASE_POOLER: "pgbouncer", DATABASE_DIRECT_URL: "postgres://db1,db2/x", DATABASE_MAX_CONNECTIONS: "4" })
        .database,
    ).toMatchObject({ pooler: "pgbouncer", directUrl: "postgres://db1,db2/x", maxConnections: 4 });
    expect(() => loadConfig({ DATABASE_POOLER: "pgbouncer" })).toThrow(/DATABASE_POOLER: a pooler needs DATABASE_URL/);
    expect(() => loadConfig({ ...url, DATABASE_DIRECT_URL: "postgres://db/x" })).toThrow(
      /DATABASE_DIRECT_URL: only used with DATABASE_POOLER=pgbouncer/,
    );
    expect(() => loadConfig({ ...url, DATABASE_POOLER: "pgpool" })).toThrow(/DATABASE_POOLER/);
  });

  it("checks previous master keys", () => {
    expect(() => loadConfig({ ID_MASTER_KEYS_PREVIOUS: `${key},nope` })).toThrow(/ID_MASTER_KEYS_PREVIOUS/);
    expect(loadConfig({ ID_MASTER_KEYS_PREVIOUS: `${key}, ${key}` }).previousMasterKeys).toEqual([key, key]);
  });
});
