// A user's ExternalIdentities in upstream's shape, loaded for a page of users in one query.
import { formatTime } from "../core/time.js";
import type { Db } from "../platform/db/types.js";
import { identitiesOf, type IdentityRow } from "./queries.js";

export function externalIdentityView(row: IdentityRow, nullMetadata = false) {
  return {
    ConnectionType: row.connection_type as string,
    ConnectionUid: row.connection_uid,
    ExternalProviderUserIdentifier: row.external_user_id,
    // The provider's profile and time of the identity's latest federated sign-in ("" before one).
    ExternalProviderUserMetadata: nullMetadata ? "" : row.provider_metadata,
    LastLoginAt: row.last_login_at ? formatTime(row.last_login_at) : "",
    LinkSource: row.link_source as string,
    Provider: row.provider,
    UpdatedAt: formatTime(row.updated_at),
  };
}

export type ExternalIdentityView = ReturnType<typeof externalIdentityView>;

/** Fills each user view's ExternalIdentities (one query for all of them). */
export async function withExternalIdentities<U extends { Uid: string; ExternalIdentities: ExternalIdentityView[] }>(
  db: Db,
  accountId: string,
  poolUid: string,
  users: U[],
  opts: { nullMetadata?: boolean | undefined } = {},
): Promise<U[]> {
  if (users.length === 0) return users;
  const rows = await identitiesOf(
    db,
    accountId,
    poolUid,
    users.map((u) => u.Uid),
  );
  const byUser = new Map<string, ExternalIdentityView[]>();
  for (const row of rows)
    byUser.set(row.user_uid, [...(byUser.get(row.user_uid) ?? []), externalIdentityView(row, opts.nullMetadata ?? false)]);
  return users.map((u) => ({ ...u, ExternalIdentities: byUser.get(u.Uid) ?? [] }));
}
