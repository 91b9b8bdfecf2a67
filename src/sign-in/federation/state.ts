// The state of one federated sign-in between leaving for the provider and coming back, in Postgres
// (federation_states, sql/070) so that any instance finishes what another started, and bound to the
// browser by a cookie: a random value whose SHA-256 is stored with the row.
//
// Three steps, each a single statement:
//   begin   inserts the row (state, nonce and PKCE verifier chosen here) and sets the cookie;
//   claim   at the callback: marks the row consumed, once (a replayed `state` finds nothing), and
//           only for the browser holding the cookie when the protocol's callback carries cookies;
//   finish  back on the interaction (a same-site GET, so SameSite=Lax cookies always come along):
//           deletes the row the callback completed, for the same browser only, and hands over the user.
// The `state` and the cookie's value are only ever stored hashed.
import { createHash, randomBytes } from "node:crypto";
import { sql, type Kysely } from "kysely";
import { PURGE_BATCH, type PurgeRule } from "../../platform/db/declarations.js";
import type { Database } from "../../platform/db/schema.js";
import type { SignInDeps } from "../provider.js";
import type { FederationMode, FederationProtocolName } from "./profile.js";

/** How long a person may spend at the provider: the interaction's own lifetime (provider.ts TTL.interaction). */
export const FEDERATION_TTL_SECONDS = 600;

const sha256 = (v: string) => createHash("sha256").update(v, "utf8").digest();
const random = () => randomBytes(32).toString("base64url");
const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;

export interface PoolKey {
  accountId: string;
  poolUid: string;
}

export const bindingCookieName = (poolUid: string) => `idp-f-${poolUid}`;

/** The binding cookie's value from a Cookie header, when it has the form we set. */
export function bindingFrom(cookieHeader: string | undefined, poolUid: string): string | undefined {
  const name = bindingCookieName(poolUid);
  for (const part of (cookieHeader ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      if (COOKIE_VALUE.test(value)) return value;
    }
  }
  return undefined;
}

/** The Set-Cookie header of the binding cookie: the issuer's path (callback and interaction both under it), Lax, HttpOnly. */
export function bindingCookie(poolUid: string, value: string, issuer: string): string {
  const url = new URL(issuer);
  const secure = url.protocol === "https:" ? "; Secure" : "";
  return `${bindingCookieName(poolUid)}=${value}; Path=${url.pathname}; Max-Age=${FEDERATION_TTL_SECONDS}; HttpOnly; SameSite=Lax${secure}`;
}

export interface BeginInput extends PoolKey {
  interactionUid: string;
  connectionUid: string;
  protocol: FederationProtocolName;
  mode: FederationMode;
  /** The browser's binding cookie when it has one (a second tab keeps it), else a new one is made. */
  binding: string | undefined;
}

export interface Begun {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** The cookie's value to set (the same as the one presented, when there was one). */
  binding: string;
}

/** Chooses state, nonce and verifier; nothing is stored until `store` (the protocol may add to the payload). */
export function choose(input: Pick<BeginInput, "binding">): Begun {
  return { state: random(), nonce: random(), codeVerifier: random(), binding: input.binding ?? random() };
}

export async function store(
  deps: Pick<SignInDeps, "db" | "clock">,
  input: BeginInput,
  begun: Begun,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await deps.db
    .insertInto("federation_states")
    .values({
      account_id: input.accountId,
      pool_uid: input.poolUid,
      state_hash: sha256(begun.state),
      binding_hash: sha256(begun.binding),
      interaction_uid: input.interactionUid,
      connection_uid: input.connectionUid,
      protocol: input.protocol,
      mode: input.mode,
      payload: { nonce: begun.nonce, codeVerifier: begun.codeVerifier, ...extra },
      expires_at: new Date(deps.clock.now().getTime() + FEDERATION_TTL_SECONDS * 1000),
    })
    .execute();
}

export interface ClaimedState {
  stateHash: Uint8Array;
  interactionUid: string;
  connectionUid: string;
  protocol: FederationProtocolName;
  mode: FederationMode;
  nonce: string;
  codeVerifier: string;
  payload: Record<string, unknown>;
}

/**
 * Consumes the row of `state` for this pool, protocol and mode: once, before it expires, and (when
 * `binding` is not "deferred") only for the browser presenting the cookie it was begun with.
 * "deferred" is for a callback the browser reaches by a cross-site POST (SAML's HTTP-POST binding),
 * which carries no SameSite=Lax cookie: `finish` still checks the browser.
 */
export async function claim(
  deps: Pick<SignInDeps, "db" | "clock">,
  pool: PoolKey,
  expect: { protocol: FederationProtocolName; mode: FederationMode },
  state: string,
  binding: string | undefined | "deferred",
): Promise<ClaimedState | undefined> {
  if (state.length === 0 || state.length > 512) return undefined;
  if (binding === undefined) return undefined;
  let q = deps.db
    .updateTable("federation_states")
    .set({ consumed_at: deps.clock.now() })
    .where("state_hash", "=", sha256(state))
    .where("account_id", "=", pool.accountId)
    .where("pool_uid", "=", pool.poolUid)
    .where("protocol", "=", expect.protocol)
    .where("mode", "=", expect.mode)
    .where("consumed_at", "is", null)
    .where("expires_at", ">", deps.clock.now());
  if (binding !== "deferred") q = q.where("binding_hash", "=", sha256(binding));
  const row = await q.returning(["state_hash", "interaction_uid", "connection_uid", "protocol", "mode", "payload"]).executeTakeFirst();
  if (!row) return undefined;
  const payload = row.payload;
  return {
    stateHash: row.state_hash,
    interactionUid: row.interaction_uid,
    connectionUid: row.connection_uid,
    protocol: row.protocol,
    mode: row.mode,
    nonce: String(payload.nonce ?? ""),
    codeVerifier: String(payload.codeVerifier ?? ""),
    payload,
  };
}

/** What the callback leaves for the interaction: the user and how they signed in. */
export interface Completion {
  userUid: string;
  amr: string[];
}

export async function complete(deps: Pick<SignInDeps, "db">, stateHash: Uint8Array, done: Completion): Promise<void> {
  await deps.db
    .updateTable("federation_states")
    .set({ user_uid: done.userUid, result: { amr: done.amr } })
    .where("state_hash", "=", stateHash)
    .execute();
}

/** Forgets a claimed state whose sign-in failed (housekeeping would, later). */
export async function discard(deps: Pick<SignInDeps, "db">, stateHash: Uint8Array): Promise<void> {
  await deps.db.deleteFrom("federation_states").where("state_hash", "=", stateHash).execute();
}

/** The completed sign-in of this interaction for this browser, removed as it is read; undefined when there is none. */
export async function finish(
  deps: Pick<SignInDeps, "db" | "clock">,
  pool: PoolKey,
  interactionUid: string,
  binding: string | undefined,
): Promise<(Completion & { connectionUid: string; protocol: FederationProtocolName }) | undefined> {
  if (binding === undefined) return undefined;
  const row = await deps.db
    .deleteFrom("federation_states")
    .where("account_id", "=", pool.accountId)
    .where("pool_uid", "=", pool.poolUid)
    .where("interaction_uid", "=", interactionUid)
    .where("binding_hash", "=", sha256(binding))
    .where("user_uid", "is not", null)
    .where("expires_at", ">", deps.clock.now())
    .returning(["user_uid", "result", "connection_uid", "protocol"])
    .executeTakeFirst();
  if (!row?.user_uid) return undefined;
  const amr = Array.isArray(row.result?.amr) ? (row.result.amr as unknown[]).map(String) : ["fed"];
  return { userUid: row.user_uid, amr, connectionUid: row.connection_uid, protocol: row.protocol };
}

async function purgeExpiredStates(db: Kysely<Database>, cutoff: Date): Promise<number> {
  const r = await sql`
    delete from federation_states where state_hash in (
      select state_hash from federation_states where expires_at < ${cutoff} limit ${PURGE_BATCH})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

export const federationStatePurges: PurgeRule[] = [{ name: "expiredFederationStates", keepMs: 60_000, purge: purgeExpiredStates }];
