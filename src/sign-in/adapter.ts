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
// Finding a code or a token reads its session, grant and user in the same statement, for the
// library's next lookups in that request (one round trip instead of four; see adapterClass).
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
import { CLAIM_COLUMNS, type ClaimsUser } from "../users/sign-in.js";
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
/**
 * A code, an access token or a refresh token by its id, with the two rows the library reads next for
 * it joined (left): its session by the payload's sessionUid, for expiresWithSession; its grant by
 * the payload's grantId, whose row is keyed by the id's SHA-256 as hashId computes it. One round trip
 * instead of three; the caller selects SESSION_AND_GRANT_COLUMNS and what it needs of its own.
 */
export const artifactJoiningSessionAndGrant = (db: Db, accountId: string, poolUid: string, kind: string, idHash: Uint8Array) =>
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
    .where("a.account_id", "=", accountId)
    .where("a.pool_uid", "=", poolUid)
    .where("a.kind", "=", kind)
    .where("a.id_hash", "=", idHash);

export const SESSION_AND_GRANT_COLUMNS = [
  "s.payload as session_payload",
  "s.consumed_at as session_consumed_at",
  "s.expires_at as session_expires_at",
  "g.payload as grant_payload",
  "g.consumed_at as grant_consumed_at",
  "g.expires_at as grant_expires_at",
] as const;

interface JoinedSessionAndGrant {
  session_payload: Record<string, unknown> | null;
  session_consumed_at: Date | null;
  session_expires_at: Date | null;
  grant_payload: Record<string, unknown> | null;
  grant_consumed_at: Date | null;
  grant_expires_at: Date | null;
}

/** The session and the grant a joined row found, as stored rows (undefined: not found). */
export function joinedSessionAndGrant(row: JoinedSessionAndGrant): { session?: StoredArtifact; grant?: StoredArtifact } {
  return {
    ...(row.session_payload && {
      session: { payload: row.session_payload, consumed_at: row.session_consumed_at, expires_at: row.session_expires_at! },
    }),
    ...(row.grant_payload && {
      grant: { payload: row.grant_payload, consumed_at: row.grant_consumed_at, expires_at: row.grant_expires_at! },
    }),
  };
}

/** The artifact with its session and grant, and its user's claim columns (findAccount's read) by the payload's accountId. */
const artifactWithItsRows = prepared((db: Db, accountId: string, poolUid: string, kind: string, idHash: Uint8Array) =>
  artifactJoiningSessionAndGrant(db, accountId, poolUid, kind, idHash)
    .leftJoin("users as u", (j) =>
      j
        .onRef("u.account_id", "=", "a.account_id")
        .onRef("u.user_pool_uid", "=", "a.pool_uid")
        .on("u.uid", "=", sql<string>`a.payload->>'accountId'`),
    )
    .select(CLAIM_COLUMNS.map((c) => `u.${c}` as const))
    .select(["a.payload", "a.consumed_at", "a.expires_at", ...SESSION_AND_GRANT_COLUMNS]),
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

/** The kinds whose lookup also reads their session and grant (the library checks both next). */
const PREFETCHING = new Set(["AuthorizationCode", "AccessToken", "RefreshToken"]);

/** What one request read ahead: `Session <uid>` and `Grant <id>` to the row found. */
type ReadAhead = Map<string, StoredArtifact>;

/** The adapter class, and the user row a lookup in this request read ahead for findAccount. */
export type PoolAdapterClass = (new (
  kind: string,
) => Adapter) & {
  /** The user `uid` as this request's code or token lookup read it (taken once); undefined: read it yourself. */
  takeUser(uid: string): ClaimsUser | undefined;
};

/**
 * The adapter class oidc-provider instantiates per model name; `clientSource` answers the Client
 * model. `requestContext` gives the library's context of the request being served (its
 * AsyncLocalStorage), if any: what a lookup reads ahead is kept for that request alone.
 */
export function adapterClass(
  db: Db,
  clock: Clock,
  pool: PoolRef,
  clientSource: (id: string) => Promise<AdapterPayload | undefined>,
  requestContext: () => object | undefined = () => undefined,
): PoolAdapterClass {
  // Read ahead per request (keyed by the request's context object, so it is gone with the request
  // and never seen by another): finding a code or a token reads its session and grant in the same
  // statement, and the library's next Session.findByUid and Grant.find in that request take them
  // from here, each at most once. Any write through the adapter during the request drops what is
  // left (a consumed code's revoked grant, a destroyed session is never answered from here). A row
  // so taken is as fresh as the token's own: read in the same statement, a few milliseconds before
  // the library would have read it itself.
  const readAhead = new WeakMap<object, ReadAhead>();
  const take = (key: string): StoredArtifact | undefined => {
    const ctx = requestContext();
    const kept = ctx && readAhead.get(ctx);
    if (!kept?.has(key)) return undefined;
    const row = kept.get(key)!;
    kept.delete(key);
    return row;
  };
  const forget = () => {
    const ctx = requestContext();
    if (ctx) readAhead.delete(ctx);
  };
  // The user read with a code or token, for findAccount later in the request. Kept apart from the
  // artifacts: a write through the adapter (consuming the code) changes no user, so it does not
  // drop this; the row is as fresh as the code's own, read a few milliseconds before.
  const usersAhead = new WeakMap<object, Map<string, ClaimsUser>>();

  // One scoping for select, update and delete builders alike (their where() signatures differ).
  // biome-ignore lint/suspicious/noExplicitAny: see above
  const scope = <Q extends { where: (...a: any[]) => Q }>(q: Q, kind: string) =>
    q.where("account_id", "=", pool.accountId).where("pool_uid", "=", pool.poolUid).where("kind", "=", kind);

  return class KyselyAdapter implements Adapter {
    constructor(private readonly kind: string) {}

    static takeUser(uid: string): ClaimsUser | undefined {
      const ctx = requestContext();
      const kept = ctx && usersAhead.get(ctx);
      const user = kept?.get(uid);
      kept?.delete(uid);
      return user;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.kind === "Client") return; // clients come from our store, never from registration
      forget();
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
      const ctx = requestContext();
      if (ctx && PREFETCHING.has(this.kind)) return this.findReadingAhead(ctx, id);
      const kept = this.kind === "Grant" ? take(`Grant ${id}`) : undefined;
      const row = kept ?? (await artifactById.first(db, pool.accountId, pool.poolUid, this.kind, hashId(id)));
      return row ? this.revive(id, row) : undefined;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const kept = this.kind === "Session" ? take(`Session ${uid}`) : undefined;
      const row = kept ?? (await sessionByUid.first(db, pool.accountId, pool.poolUid, this.kind, uid));
      // The session's id is its cookie's value, kept only hashed: a session found by uid has no
      // jti to give back. The library uses findByUid to read the session (account, login time)
      // for an interaction, never to re-issue its cookie.
      return row ? this.revive(undefined, row) : undefined;
    }

    async findByUserCode(): Promise<AdapterPayload | undefined> {
      return undefined; // the device flow is off
    }

    async consume(id: string): Promise<void> {
      forget();
      await consumeById.all(db, clock.now(), pool.accountId, pool.poolUid, this.kind, hashId(id));
    }

    async destroy(id: string): Promise<void> {
      forget();
      await scope(db.deleteFrom("sign_in_artifacts"), this.kind).where("id_hash", "=", hashId(id)).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      forget();
      await db
        .deleteFrom("sign_in_artifacts")
        .where("account_id", "=", pool.accountId)
        .where("pool_uid", "=", pool.poolUid)
        .where("grant_id", "=", grantId)
        .execute();
    }

    /** The artifact, keeping its session, grant and user (when found) for this request's next lookups of them. */
    private async findReadingAhead(ctx: object, id: string): Promise<AdapterPayload | undefined> {
      const row = await artifactWithItsRows.first(db, pool.accountId, pool.poolUid, this.kind, hashId(id));
      if (!row) return undefined;
      if (typeof row.payload.accountId === "string" && row.uid === row.payload.accountId) {
        const user = Object.fromEntries(CLAIM_COLUMNS.map((c) => [c, row[c]])) as ClaimsUser;
        usersAhead.set(ctx, new Map([[row.uid, user]]));
      }
      const kept = readAhead.get(ctx) ?? new Map<string, StoredArtifact>();
      const { sessionUid, grantId } = row.payload;
      const { session, grant } = joinedSessionAndGrant(row);
      // Only rows found are kept: a missing one is asked of the database again, so a join that stopped
      // matching (the grant's key is hashId recomputed in SQL) costs a round trip, never a valid token.
      if (typeof sessionUid === "string" && session) kept.set(`Session ${sessionUid}`, session);
      if (typeof grantId === "string" && grant) kept.set(`Grant ${grantId}`, grant);
      readAhead.set(ctx, kept);
      return this.revive(id, row);
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
