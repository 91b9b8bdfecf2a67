// Access keys: the credentials API callers sign with. Created by the CLI and the bootstrap, never by
// the API. The secret is returned once at creation and stored only sealed under the master key.
import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { SecretBox } from "../platform/crypto/secret-box.js";
import type { Database } from "../platform/db/schema.js";
import { sql } from "kysely";
import { isUniqueViolation } from "../platform/db/errors.js";
import {
  ACCESS_KEY_CHANNEL,
  countAccessKeys,
  findAccessKey,
  findFirstStartKey,
  FIRST_START_DESCRIPTION,
  insertAccessKey,
  setAccessKeyEnabled,
  updateAccessKeySecret,
} from "./queries.js";

export type Role = "admin" | "readonly";

export interface NewAccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  role: Role;
}

interface KeyDeps {
  db: Kysely<Database>;
  secretBox: SecretBox;
}

/** Volcengine-looking ids: "AKLT" + 32 url-safe characters; secrets: 40 base64 characters (240 bits). */
export function generateAccessKeyPair(): { accessKeyId: string; secretAccessKey: string } {
  return {
    accessKeyId: "AKLT" + randomBytes(24).toString("base64url"),
    secretAccessKey: randomBytes(30).toString("base64"),
  };
}

export function sealSecret(secretBox: SecretBox, accessKeyId: string, secret: string) {
  const sealed = secretBox.seal(secret, `access_key:${accessKeyId}`);
  return { secret_sealed: sealed.blob, secret_key_id: sealed.keyId };
}

export function openSecret(secretBox: SecretBox, row: { access_key_id: string; secret_sealed: Uint8Array; secret_key_id: string }): string {
  return secretBox.open({ keyId: row.secret_key_id, blob: row.secret_sealed }, `access_key:${row.access_key_id}`);
}

export async function createAccessKey(
  deps: KeyDeps,
  opts: { accountId: string; role: Role; description?: string; pair?: { accessKeyId: string; secretAccessKey: string } },
): Promise<NewAccessKey> {
  const pair = opts.pair ?? generateAccessKeyPair();
  await insertAccessKey(deps.db, {
    access_key_id: pair.accessKeyId,
    account_id: opts.accountId,
    role: opts.role,
    description: opts.description ?? "",
    ...sealSecret(deps.secretBox, pair.accessKeyId, pair.secretAccessKey),
  });
  // A server may have looked this id up a moment ago and remembered "no such key".
  await announceAccessKeyChange(deps.db, pair.accessKeyId);
  return { ...pair, accountId: opts.accountId, role: opts.role };
}

/**
 * Tells every server sharing the database that this key changed (created, enabled, disabled,
 * re-keyed): each drops what it cached about the id, found or not (resolver.ts invalidate).
 */
export async function announceAccessKeyChange(db: Kysely<Database>, accessKeyId: string): Promise<void> {
  await sql`select pg_notify(${ACCESS_KEY_CHANNEL}, ${accessKeyId})`.execute(db);
}

/**
 * Enables or disables a key and announces it, so servers sharing the database drop their cached copy
 * at once instead of after the cache lifetime. Returns false when there is no such key.
 */
export async function setAccessKeyEnabledAndAnnounce(db: Kysely<Database>, accessKeyId: string, enabled: boolean): Promise<boolean> {
  const found = await setAccessKeyEnabled(db, accessKeyId, enabled);
  if (found) await announceAccessKeyChange(db, accessKeyId);
  return found;
}

export type BootstrapOutcome =
  | { kind: "created"; key: NewAccessKey }
  | { kind: "configured"; accessKeyId: string }
  | { kind: "existing"; firstKey?: { accessKeyId: string; enabled: boolean } };

/**
 * Makes sure an admin key exists after start-up: the configured root key (created or brought up to
 * date), or, when none is configured and the database has no key at all, a new one to print once.
 */
export async function bootstrapRootKey(
  deps: KeyDeps,
  root: { accountId: string; accessKey: { accessKeyId: string; secretAccessKey: string } | undefined },
): Promise<BootstrapOutcome> {
  if (root.accessKey) {
    const { accessKeyId, secretAccessKey } = root.accessKey;
    let existing = await findAccessKey(deps.db, accessKeyId);
    if (!existing) {
      try {
        await createAccessKey(deps, {
          accountId: root.accountId,
          role: "admin",
          description: "root (from environment)",
          pair: root.accessKey,
        });
        return { kind: "configured", accessKeyId };
      } catch (err) {
        // Instances started together (a rolling deploy, a scale-out) race to create the same key:
        // the loser reads the winner's row and checks it like any existing one.
        if (!isUniqueViolation(err)) throw err;
        existing = await findAccessKey(deps.db, accessKeyId);
        if (!existing) throw err;
      }
    }
    if (openSecretSafe(deps.secretBox, existing) !== secretAccessKey || existing.account_id !== root.accountId) {
      await updateAccessKeySecret(deps.db, accessKeyId, sealSecret(deps.secretBox, accessKeyId, secretAccessKey), {
        account_id: root.accountId,
        role: "admin",
        enabled: true,
      });
      await announceAccessKeyChange(deps.db, accessKeyId);
    }
    return { kind: "configured", accessKeyId };
  }
  const { n } = await countAccessKeys(deps.db);
  if (Number(n) > 0) {
    const first = await findFirstStartKey(deps.db, root.accountId);
    return first ? { kind: "existing", firstKey: { accessKeyId: first.access_key_id, enabled: first.enabled } } : { kind: "existing" };
  }
  const key = await createAccessKey(deps, { accountId: root.accountId, role: "admin", description: FIRST_START_DESCRIPTION });
  return { kind: "created", key };
}

function openSecretSafe(secretBox: SecretBox, row: Parameters<typeof openSecret>[1]): string | undefined {
  try {
    return openSecret(secretBox, row);
  } catch {
    return undefined;
  }
}
