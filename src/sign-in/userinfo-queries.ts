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
import { CLAIM_COLUMNS, type ClaimsUser } from "../users/sign-in.js";
import { hashId, revived } from "./artifact-payload.js";
import { artifactJoiningSessionAndGrant, joinedSessionAndGrant, SESSION_AND_GRANT_COLUMNS, type PoolRef } from "./adapter.js";

const tokenWithItsRows = prepared((db: Db, accountId: string, poolUid: string, idHash: Uint8Array) =>
  artifactJoiningSessionAndGrant(db, accountId, poolUid, "AccessToken", idHash)
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
      ...SESSION_AND_GRANT_COLUMNS,
      "c.client_api_identifier as client_id",
      "p.enabled as pool_enabled",
    ]),
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
  const joined = joinedSessionAndGrant(row);
  return {
    token,
    session: joined.session && revived(undefined, joined.session, now),
    grant: joined.grant && revived(undefined, joined.grant, now),
    clientFound: row.client_id !== null && row.pool_enabled === true,
    // The user's columns with the token's beside them (named apart): read as the user's.
    user: row.uid === null ? undefined : (row as unknown as ClaimsUser),
  };
}
