// The one statement behind userinfo's usual request (userinfo.ts): the access token by its id, and
// every row the library's userinfo checks name from it, by the token's own payload: its session
// (expiresWithSession), its grant, its client (with the pool's switch, as the client store reads a
// client) and its user. Each join is the lookup the library's models make through our adapter, client
// store and findAccount, on the same keys and indexes, so the answer is theirs in one round trip.
import { sql } from "kysely";
import type { AdapterPayload } from "oidc-provider";
import type { Db } from "../platform/db/types.js";
import { prepared } from "../platform/db/prepared.js";
import type { Clock } from "../deps.js";
import { CLAIM_COLUMNS, type ClaimsUser } from "../users/claims.js";
import { hashId, revived } from "./artifact-payload.js";
import type { PoolRef } from "./adapter.js";

const tokenWithItsRows = prepared((db: Db, accountId: string, poolUid: string, idHash: Uint8Array) =>
  db
    .selectFrom("sign_in_artifacts as a")
    .leftJoin("sign_in_artifacts as s", (j) =>
      j
        .onRef("s.account_id", "=", "a.account_id")
        .onRef("s.pool_uid", "=", "a.pool_uid")
        .on("s.kind", "=", "Session")
        .on("s.session_uid", "=", sql<string>`a.payload->>'sessionUid'`),
    )
    .leftJoin("sign_in_artifacts as g", (j) =>
      j
        .onRef("g.account_id", "=", "a.account_id")
        .onRef("g.pool_uid", "=", "a.pool_uid")
        .on("g.kind", "=", "Grant")
        .on("g.id_hash", "=", sql<Uint8Array>`sha256(convert_to(a.payload->>'grantId', 'UTF8'))`),
    )
    .leftJoin("oauth_credentials as c", (j) =>
      j
        .onRef("c.account_id", "=", "a.account_id")
        .onRef("c.user_pool_uid", "=", "a.pool_uid")
        .on("c.client_api_identifier", "=", sql<string>`a.payload->>'clientId'`),
    )
    .leftJoin("user_pools as p", (j) => j.onRef("p.account_id", "=", "a.account_id").onRef("p.uid", "=", "a.pool_uid"))
    .leftJoin("users as u", (j) =>
      j
        .onRef("u.account_id", "=", "a.account_id")
        .onRef("u.user_pool_uid", "=", "a.pool_uid")
        .on("u.uid", "=", sql<string>`a.payload->>'accountId'`),
    )
    .select(CLAIM_COLUMNS.map((c) => `u.${c}` as const))
    .select([
      "a.payload as token_payload",
      "a.consumed_at as token_consumed_at",
      "a.expires_at as token_expires_at",
      "s.payload as session_payload",
      "s.consumed_at as session_consumed_at",
      "s.expires_at as session_expires_at",
      "g.payload as grant_payload",
      "g.consumed_at as grant_consumed_at",
      "g.expires_at as grant_expires_at",
      "c.client_api_identifier as client_id",
      "p.enabled as pool_enabled",
    ])
    .where("a.account_id", "=", accountId)
    .where("a.pool_uid", "=", poolUid)
    .where("a.kind", "=", "AccessToken")
    .where("a.id_hash", "=", idHash),
);

/** An access token and what its userinfo checks read, each as our adapter, client store and findAccount would give it. */
export interface TokenWithItsRows {
  token: AdapterPayload;
  /** undefined: none, or expired. */
  session: AdapterPayload | undefined;
  grant: AdapterPayload | undefined;
  /** The client store finds the token's client (in this pool, the pool enabled). */
  clientFound: boolean;
  /** The token's user (the columns its claims come from), whatever its state; undefined when gone. */
  user: ClaimsUser | undefined;
}

/** The access token with this id (its jti) and its rows; undefined when there is no such token or it has expired. */
export async function findAccessTokenWithItsRows(db: Db, clock: Clock, pool: PoolRef, id: string): Promise<TokenWithItsRows | undefined> {
  const row = await tokenWithItsRows.first(db, pool.accountId, pool.poolUid, hashId(id));
  if (!row) return undefined;
  const now = clock.now();
  const token = revived(id, { payload: row.token_payload, consumed_at: row.token_consumed_at, expires_at: row.token_expires_at }, now);
  if (!token) return undefined;
  const { session_payload, session_consumed_at, session_expires_at, grant_payload, grant_consumed_at, grant_expires_at } = row;
  return {
    token,
    session: session_payload
      ? revived(undefined, { payload: session_payload, consumed_at: session_consumed_at, expires_at: session_expires_at! }, now)
      : undefined,
    grant: grant_payload
      ? revived(undefined, { payload: grant_payload, consumed_at: grant_consumed_at, expires_at: grant_expires_at! }, now)
      : undefined,
    clientFound: row.client_id !== null && row.pool_enabled === true,
    // The user's columns with the token's beside them (named apart): read as the user's.
    user: row.uid === null ? undefined : (row as unknown as ClaimsUser),
  };
}
