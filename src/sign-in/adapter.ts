// oidc-provider's storage on our database: one adapter class per pool's Provider, over
// sign_in_artifacts (sql/030). The library hands us every model it persists (codes, tokens,
// sessions, grants, interactions) and finds them again by id; we keep them keyed by the pool, so an
// id of pool A is never found by pool B's provider.
//
// What is stored: the library's payload (claims the token carries, scopes, grant and session
// references, PKCE challenge, redirect_uri, ...) without its `jti`, and SHA-256 of the id. For an
// opaque access token, a refresh token, a code, a client-credentials token and a session the id is
// the bearer value itself (the cookie's, for a session), so none of those is kept in the clear. An
// Interaction's payload names its session's id (`session.cookie`); the library never reads it back,
// so it is dropped. JWT access tokens are never handed to an adapter (they are self-contained).
//
// The Client model is not stored here: its `find` builds the client's metadata from our client
// store on each call (src/sign-in/clients.ts), so a changed or deleted client takes effect at once.
import { sql, type Kysely } from "kysely";
import { PURGE_BATCH, type PurgeRule } from "../platform/db/declarations.js";
import type { Database } from "../platform/db/schema.js";
import type { Adapter, AdapterPayload } from "oidc-provider";
import type { Db } from "../platform/db/types.js";
import { prepared } from "../platform/db/prepared.js";
import type { Clock } from "../deps.js";
import { expiryOf, hashId, lookupColumns, revived, storedPayload, type StoredArtifact } from "./artifact-payload.js";

export interface PoolRef {
  accountId: string;
  poolUid: string;
}

// The statements of every token lookup and code exchange (the artifact, its session, consuming a
// code), compiled once (platform/db/prepared.ts).
const artifactById = prepared((db: Db, accountId: string, poolUid: string, kind: string, idHash: Uint8Array) =>
  db
    .selectFrom("sign_in_artifacts")
    .select(["payload", "consumed_at", "expires_at"])
    .where("account_id", "=", accountId)
    .where("pool_uid", "=", poolUid)
    .where("kind", "=", kind)
    .where("id_hash", "=", idHash),
);
const sessionByUid = prepared((db: Db, accountId: string, poolUid: string, kind: string, sessionUid: string) =>
  db
    .selectFrom("sign_in_artifacts")
    .select(["payload", "consumed_at", "expires_at"])
    .where("account_id", "=", accountId)
    .where("pool_uid", "=", poolUid)
    .where("kind", "=", kind)
    .where("session_uid", "=", sessionUid),
);
const consumeById = prepared((db: Db, consumedAt: Date, accountId: string, poolUid: string, kind: string, idHash: Uint8Array) =>
  db
    .updateTable("sign_in_artifacts")
    .set({ consumed_at: consumedAt })
    .where("account_id", "=", accountId)
    .where("pool_uid", "=", poolUid)
    .where("kind", "=", kind)
    .where("id_hash", "=", idHash),
);

/** The adapter class oidc-provider instantiates per model name; `clientSource` answers the Client model. */
export function adapterClass(db: Db, clock: Clock, pool: PoolRef, clientSource: (id: string) => Promise<AdapterPayload | undefined>) {
  // One scoping for select, update and delete builders alike (their where() signatures differ).
  // biome-ignore lint/suspicious/noExplicitAny: see above
  const scope = <Q extends { where: (...a: any[]) => Q }>(q: Q, kind: string) =>
    q.where("account_id", "=", pool.accountId).where("pool_uid", "=", pool.poolUid).where("kind", "=", kind);

  return class KyselyAdapter implements Adapter {
    constructor(private readonly kind: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.kind === "Client") return; // clients come from our store, never from registration
      const row = {
        account_id: pool.accountId,
        pool_uid: pool.poolUid,
        kind: this.kind,
        id_hash: hashId(id),
        ...lookupColumns(this.kind, payload),
        payload: storedPayload(this.kind, payload),
        expires_at: expiryOf(clock.now(), expiresIn),
      };
      await db
        .insertInto("sign_in_artifacts")
        .values(row)
        .onConflict((oc) =>
          oc.columns(["account_id", "pool_uid", "kind", "id_hash"]).doUpdateSet({
            payload: row.payload,
            grant_id: row.grant_id,
            session_uid: row.session_uid,
            expires_at: row.expires_at,
          }),
        )
        .execute();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.kind === "Client") return clientSource(id);
      const row = await artifactById.first(db, pool.accountId, pool.poolUid, this.kind, hashId(id));
      return row && this.revive(id, row);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const row = await sessionByUid.first(db, pool.accountId, pool.poolUid, this.kind, uid);
      // The session's id is its cookie's value, kept only hashed: a session found by uid has no
      // jti to give back. The library uses findByUid to read the session (account, login time)
      // for an interaction, never to re-issue its cookie.
      return row && this.revive(undefined, row);
    }

    async findByUserCode(): Promise<AdapterPayload | undefined> {
      return undefined; // the device flow is off
    }

    async consume(id: string): Promise<void> {
      await consumeById.all(db, clock.now(), pool.accountId, pool.poolUid, this.kind, hashId(id));
    }

    async destroy(id: string): Promise<void> {
      await scope(db.deleteFrom("sign_in_artifacts"), this.kind).where("id_hash", "=", hashId(id)).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db
        .deleteFrom("sign_in_artifacts")
        .where("account_id", "=", pool.accountId)
        .where("pool_uid", "=", pool.poolUid)
        .where("grant_id", "=", grantId)
        .execute();
    }

    private revive(id: string | undefined, row: StoredArtifact) {
      return revived(id, row, clock.now());
    }
  };
}

/** Deletes up to PURGE_BATCH artifacts expired before `cutoff` (housekeeping; the adapter already ignores them). */
export async function purgeExpiredArtifacts(db: Kysely<Database>, cutoff: Date): Promise<number> {
  const r = await sql`
    delete from sign_in_artifacts where (account_id, pool_uid, kind, id_hash) in (
      select account_id, pool_uid, kind, id_hash from sign_in_artifacts where expires_at < ${cutoff} limit ${PURGE_BATCH})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

// An hour past expiry: the adapter ignores an expired artifact at once; the hour keeps a reused
// code's or refresh token's row (its grant is what reuse revokes) a little past its lifetime.
export const signInArtifactPurges: PurgeRule[] = [{ name: "expiredSignInArtifacts", keepMs: 3_600_000, purge: purgeExpiredArtifacts }];
