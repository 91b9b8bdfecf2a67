// The one client store as sign-in reads it: a UserPoolClient's Uid and an OAuth credential's
// ClientApiIdentifier are the same client_id, found here in one query whichever face created it,
// normalized by client-policy.ts; and the check of a client secret at the token endpoint.
// Client ids are global (sql/003's unique index); every lookup here is also held to the account and
// pool the request was located in (src/user-pools/locate.ts), so another pool's client is unknown.
import type { AppDeps } from "../deps.js";
import type { Db } from "../platform/db/types.js";
import { signInClientOf, type SignInClient } from "./client-policy.js";
import { secretMatches } from "./secret.js";
import { prepared } from "../platform/db/prepared.js";

export type { SignInClient } from "./client-policy.js";

/** Longer than any client id we issue or secret we hand out: refused before the database sees it. */
const MAX_CLIENT_ID = 128;
const MAX_SECRET = 1024;

const clientOfPool = (db: Db, accountId: string, poolUid: string, clientId: string) =>
  db
    .selectFrom("oauth_credentials as c")
    .innerJoin("user_pools as p", (j) => j.onRef("p.account_id", "=", "c.account_id").onRef("p.uid", "=", "c.user_pool_uid"))
    .where("c.client_api_identifier", "=", clientId)
    .where("c.account_id", "=", accountId)
    .where("c.user_pool_uid", "=", poolUid);

/** What sign-in reads of a client: its record and its pool's switch. */
const CLIENT_COLUMNS = [
  "c.account_id",
  "c.user_pool_uid",
  "c.client_api_identifier",
  "c.name",
  "c.logo_uri",
  "c.client_type",
  "c.grant_type",
  "c.scopes",
  "c.service_id",
  "c.redirect_uris",
  "c.allowed_logout_urls",
  "c.allowed_web_origins",
  "c.allowed_cors",
  "c.id_token_lifetime_seconds",
  "c.refresh_token_rotation",
  "c.refresh_token_has_idle_lifetime",
  "c.refresh_token_idle_lifetime_seconds",
  "c.refresh_token_has_combined_lifetime",
  "c.refresh_token_combined_lifetime_seconds",
  "c.development_mode_enabled",
  "c.dismiss_login_page_enabled",
  "c.skip_consent_enabled",
  "c.device_flow_enabled",
  "c.updated_at",
  "p.enabled",
] as const;

/** The pool's client with this client_id, normalized for sign-in; undefined for any other pool's or none. */
export async function findSignInClient(
  deps: Pick<AppDeps, "db">,
  accountId: string,
  poolUid: string,
  clientId: string,
): Promise<SignInClient | undefined> {
  if (clientId.length === 0 || clientId.length > MAX_CLIENT_ID) return undefined;
  const row = await clientOfPool(deps.db, accountId, poolUid, clientId).select(CLIENT_COLUMNS).executeTakeFirst();
  return row && signInClientOf(row, row.enabled);
}

/**
 * The token endpoint's check of a client id and secret (client_secret_basic and client_secret_post).
 * Constant time in the secret: SHA-256 of what was presented, compared with timingSafeEqual against
 * the stored hash (the format of secret.ts), or against a dummy hash when the client is unknown, is
 * another pool's (with `within`), or is public (no secret, so nothing matches). The control plane's
 * tests call it without `within`, as the data plane's global check.
 */
export async function verifyClientSecret(
  deps: Pick<AppDeps, "db">,
  clientApiIdentifier: string,
  secret: string,
  within?: { accountId: string; poolUid: string },
): Promise<boolean> {
  if (clientApiIdentifier.length === 0 || clientApiIdentifier.length > MAX_CLIENT_ID || secret.length > MAX_SECRET) return false;
  const row = await (within
    ? clientOfPool(deps.db, within.accountId, within.poolUid, clientApiIdentifier)
    : deps.db.selectFrom("oauth_credentials as c").where("c.client_api_identifier", "=", clientApiIdentifier)
  )
    .select("c.secret_hash")
    .executeTakeFirst();
  return secretMatches(secret, row?.secret_hash ?? undefined);
}

/** Compiled once (platform/db/prepared.ts): every client authentication at sign-in's endpoints reads it. */
const clientWithSecret = prepared((db: Db, accountId: string, poolUid: string, clientId: string) =>
  clientOfPool(db, accountId, poolUid, clientId).select([...CLIENT_COLUMNS, "c.secret_hash"]),
);

/**
 * findSignInClient and the client's stored secret hash in one read: for sign-in's token endpoint,
 * which looks the client up and then checks the presented secret against it (secretMatchesStored),
 * so a client authentication costs one statement, not two.
 */
export async function findSignInClientWithSecret(
  deps: Pick<AppDeps, "db">,
  accountId: string,
  poolUid: string,
  clientId: string,
): Promise<{ client: SignInClient; secretHash: Uint8Array | undefined } | undefined> {
  if (clientId.length === 0 || clientId.length > MAX_CLIENT_ID) return undefined;
  const row = await clientWithSecret.first(deps.db, accountId, poolUid, clientId);
  return row && { client: signInClientOf(row, row.enabled), secretHash: row.secret_hash ?? undefined };
}

/** verifyClientSecret's check against a hash already read (undefined: unknown or public client, nothing matches). */
export function secretMatchesStored(secret: string, secretHash: Uint8Array | undefined): boolean {
  if (secret.length > MAX_SECRET) return false;
  return secretMatches(secret, secretHash);
}
