// What the sign-in adapter (adapter.ts) stores of an artifact oidc-provider hands it, and what it
// gives back, as plain functions (no database: tested and mutated on their own). The library's
// payload is kept without its `jti` (for codes, tokens and sessions the bearer value itself) and an
// Interaction's session without its cookie value; ids are kept only as SHA-256; an artifact past
// its expiry is never given back; a consumed one is given back with the second it was consumed.
import { createHash } from "node:crypto";
import type { AdapterPayload } from "oidc-provider";

/** Artifacts without an expiry of their own live this long at most (the library sets one for all we enable). */
export const FALLBACK_TTL_SECONDS = 14 * 24 * 3600;

export const hashId = (id: string) => createHash("sha256").update(id, "utf8").digest();

/** The payload as stored: no `jti`; an Interaction's session reference without the session's cookie value. */
export function storedPayload(kind: string, payload: AdapterPayload): Record<string, unknown> {
  const stored: Record<string, unknown> = { ...payload };
  delete stored.jti;
  if (kind === "Interaction" && stored.session && typeof stored.session === "object") {
    const { cookie: _dropped, ...session } = stored.session as Record<string, unknown>;
    stored.session = session;
  }
  return stored;
}

/** When an artifact given `expiresIn` seconds at `now` expires; no positive lifetime: the fallback. */
export const expiryOf = (now: Date, expiresIn: number) =>
  new Date(now.getTime() + (expiresIn > 0 ? expiresIn : FALLBACK_TTL_SECONDS) * 1000);

/** The columns found by: the grant (revokeByGrantId) and, for a Session, its uid (findByUid). */
export const lookupColumns = (kind: string, payload: AdapterPayload) => ({
  grant_id: typeof payload.grantId === "string" ? payload.grantId : null,
  session_uid: kind === "Session" && typeof payload.uid === "string" ? payload.uid : null,
});

export interface StoredArtifact {
  payload: Record<string, unknown>;
  consumed_at: Date | null;
  expires_at: Date;
}

/**
 * The payload given back to the library: undefined once expired (at its expiry exactly, too); with
 * `jti` when found by id; with `consumed` (epoch seconds) once consumed.
 */
export function revived(id: string | undefined, row: StoredArtifact, now: Date): AdapterPayload | undefined {
  if (row.expires_at.getTime() <= now.getTime()) return undefined;
  return {
    ...row.payload,
    ...(id !== undefined && { jti: id }),
    ...(row.consumed_at && { consumed: Math.floor(row.consumed_at.getTime() / 1000) }),
  } as AdapterPayload;
}
