// What the application needs at run time, built once by main.ts (or a test harness) and handed to
// the app and to every action handler. Nothing below actions/ sees HTTP; everything sees these.
import type { Kysely } from "kysely";
import type { Config } from "./config.js";
import type { SecretBox } from "./crypto/secret-box.js";
import type { Database } from "./db/schema.js";
import type { AccessKeyResolver } from "./access-keys/resolver.js";
import type { Logger } from "./log.js";

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface AppDeps {
  config: Config;
  db: Kysely<Database>;
  secretBox: SecretBox;
  accessKeys: AccessKeyResolver;
  log: Logger;
  clock: Clock;
}
