// The users benchmark's fixture: the real app on 127.0.0.1 over DATABASE_URL (or in-memory PGlite),
// a fresh random account with an admin key, an SDK client, and a pool seeded with N users by one
// INSERT ... SELECT generate_series (the API is not the thing measured while seeding). Also used by
// bench/hashing/run.ts, which signs with several keys of several accounts (callAs).
import { randomBytes, randomInt } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Service } from "@volcengine/openapi";
import { sql } from "kysely";
import { createAccessKey } from "../../src/access-keys/service.js";
import { createAccessKeyResolver } from "../../src/access-keys/resolver.js";
import { createApp } from "../../src/control-plane/app.js";
import { loadConfig } from "../../src/platform/config.js";
import { SecretBox } from "../../src/platform/crypto/secret-box.js";
import { connectDatabase } from "../../src/platform/db/connect.js";
import { migrate } from "../../src/platform/db/migrator.js";
import { createLimits, systemClock, type AppDeps } from "../../src/deps.js";
import { createLogger } from "../../src/platform/log.js";

export type Call = (action: string, params: Record<string, unknown>) => Promise<any>;

export async function startBench() {
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const masterKey = randomBytes(32).toString("base64");
  const config = loadConfig({ ID_MASTER_KEY: masterKey, DATABASE_URL: databaseUrl, LOG_LEVEL: "silent" });
  const database = await connectDatabase({ databaseUrl, dataDir: "memory://", maxConnections: 10 });
  await migrate(database.db);
  const secretBox = new SecretBox(masterKey);
  const deps: AppDeps = {
    config,
    db: database.db,
    secretBox,
    accessKeys: createAccessKeyResolver({ db: database.db, secretBox }),
    log: createLogger("silent"),
    clock: systemClock,
    ...createLimits(config, database.db),
  };
  const server = serve({ fetch: createApp(deps).fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accountId = String(randomInt(3_000_000_000, 2 ** 47));
  /** An SDK client signing with the given key; a failed call throws with the error envelope. */
  const callAs = (key: { accessKeyId: string; secretAccessKey: string }): Call => {
    const client = new Service({
      host,
      protocol: "http:",
      region: config.region,
      serviceName: "id",
      accessKeyId: key.accessKeyId,
      secretKey: key.secretAccessKey,
    });
    return async (action, params) => {
      const api = client.createAPI(action, { Version: "2025-10-30", method: "POST", contentType: "json" });
      const env = (await api(params, { timeout: 300_000 } as never)) as any;
      if (env.ResponseMetadata?.Error) throw new Error(`${action}: ${JSON.stringify(env.ResponseMetadata.Error)}`);
      return env.Result;
    };
  };
  const call = callAs(await createAccessKey(deps, { accountId, role: "admin" }));

  return {
    deps,
    accountId,
    call,
    callAs,
    describe: database.describe,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.close();
    },
  };
}

/**
 * Seeds `count` users into the pool in one statement; the count trigger adds them to TotalUsers.
 * Every sortable field gets a value spread over the pool (from md5 of the row number), so each sort
 * walks a real order, and updated_at is spread over a day.
 */
export async function seedUsers(deps: Pick<AppDeps, "db">, accountId: string, poolUid: string, count: number): Promise<void> {
  await sql`
    insert into users (account_id, user_pool_uid, uid, preferred_username, email, phone_number, name, given_name, family_name,
      middle_name, nickname, website, gender, locale, created_at, updated_at)
    select ${accountId}::bigint, ${poolUid}, gen_random_uuid()::text, 'user' || g, 'user' || g || '@example.com',
      '+86138' || lpad(g::text, 8, '0'), initcap(substr(h, 1, 8)) || ' ' || initcap(substr(h, 9, 8)), initcap(substr(h, 1, 8)),
      initcap(substr(h, 9, 8)), substr(h, 17, 2), substr(h, 20, 6), 'https://' || substr(h, 26, 6) || '.example.com',
      (array['female', 'male', ''])[1 + g % 3], (array['zh-CN', 'en-US', 'fr', 'de-DE'])[1 + g % 4],
      now(), now() - make_interval(secs => (g * 7919) % 86400)
    from (select g, md5(g::text) as h from generate_series(1, ${count}::int) as g) as s`.execute(deps.db);
  await sql`analyze users`.execute(deps.db);
}

/** Runs `fn` `runs` times after `warmup` untimed runs; returns the sorted durations in ms. */
export async function timeRuns(fn: () => Promise<unknown>, runs: number, warmup = 5): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

export const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)]!;
export const p95 = (sorted: number[]) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]!;
/** The nearest-rank percentile of sorted durations (q in 0..1). */
export const percentile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1))]!;

/** Lines printed as they come and kept, for a report block written at the end. */
export function transcript(): { lines: string[]; say: (line: string) => void } {
  const lines: string[] = [];
  return {
    lines,
    say: (line) => {
      lines.push(line);
      process.stdout.write(line + "\n");
    },
  };
}
