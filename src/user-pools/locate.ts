// Where a sign-in request belongs: the pool named by the issuer path (/userpool/<Uid>), the pool
// whose custom domain is ACTIVE for the request's Host, or the pool of a client_id (either face of a
// client: a UserPoolClient's Uid and an OAuth credential's ClientApiIdentifier are the same id).
//
// These three lookups are the documented exception to "every query and index leads with
// account_id" (docs/architecture.md, "Two audiences"): a browser or a relying party names no account,
// so the data plane reads the account from the pool, the domain or the client. Each is one probe of
// a global unique index (sql/025, 020, 003): user_pools__uid, user_pool_domains__active_domain (unique among ACTIVE domains),
// oauth_credentials__client_api_identifier, then the pool by a unique index. test/sign-in/locate.test.ts
// checks the plans name those indexes. Plan of locatePoolByHost on Postgres 16, for the record:
//   Nested Loop -> Index Scan using user_pool_domains__active_domain on user_pool_domains d
//                    Index Cond: (domain = $1)
//               -> Index Scan using user_pools__uid on user_pools p  (Index Cond: uid = d.user_pool_uid)
// Nothing else crosses accounts: once located, every further query is scoped by the account found.
import type { Db } from "../platform/db/types.js";
import { prepared } from "../platform/db/prepared.js";
import type { ClientType } from "../oauth-credentials/tables.js";

/** A located pool: whose it is and whether it serves sign-ins (a disabled pool answers with OAuth errors). */
export interface LocatedPool {
  accountId: string;
  poolUid: string;
  enabled: boolean;
}

export interface LocatedClient extends LocatedPool {
  clientId: string;
  clientType: ClientType;
  /** Clients have no switch of their own: a client serves while its pool is enabled. */
  clientEnabled: boolean;
}

/** Longer than any Uid, domain or client id we issue or accept: refused before the database sees it. */
const MAX_KEY = 253;
const usable = (key: string) => key.length > 0 && key.length <= MAX_KEY;

const poolColumns = ["account_id", "uid", "enabled"] as const;
const located = (r: { account_id: string; uid: string; enabled: boolean }): LocatedPool => ({
  accountId: String(r.account_id),
  poolUid: r.uid,
  enabled: r.enabled,
});

/** The three statements, apart so the test can EXPLAIN exactly what runs. */
export const locatorQueries = {
  byIssuerPath: (db: Db, poolUid: string) => db.selectFrom("user_pools").select(poolColumns).where("uid", "=", poolUid),
  byHost: (db: Db, domain: string) =>
    db
      .selectFrom("user_pool_domains as d")
      .innerJoin("user_pools as p", (j) => j.onRef("p.account_id", "=", "d.account_id").onRef("p.uid", "=", "d.user_pool_uid"))
      .select(["p.account_id", "p.uid", "p.enabled", "d.domain"])
      .where("d.domain", "=", domain)
      .where("d.status", "=", "ACTIVE"),
  byClientId: (db: Db, clientId: string) =>
    db
      .selectFrom("oauth_credentials as c")
      .innerJoin("user_pools as p", (j) => j.onRef("p.account_id", "=", "c.account_id").onRef("p.uid", "=", "c.user_pool_uid"))
      .select(["p.account_id", "p.uid", "p.enabled", "c.client_api_identifier", "c.client_type"])
      .where("c.client_api_identifier", "=", clientId),
};

/** Compiled once (platform/db/prepared.ts): every sign-in request locates its pool by it. */
const byIssuerPath = prepared((db: Db, poolUid: string) => locatorQueries.byIssuerPath(db, poolUid));

/** The pool whose Uid is the issuer path's segment, in any account. */
export async function locatePoolByIssuerPath(db: Db, poolUid: string): Promise<LocatedPool | undefined> {
  if (!usable(poolUid)) return undefined;
  const row = await byIssuerPath.first(db, poolUid);
  return row && located(row);
}

/**
 * A Host header as the domain table spells names: lower case, no port, no trailing dot. Punycode is
 * what browsers send for IDN hosts, and user_pool_domains stores punycode (names.ts), so no
 * conversion is needed; anything else (an IP literal, a stray character) simply matches nothing.
 */
export function hostName(host: string): string {
  const lower = host.trim().toLowerCase();
  const bare = lower.startsWith("[") ? lower : lower.replace(/:\d*$/, "");
  return bare.replace(/\.$/, "");
}

/** The pool whose custom domain is ACTIVE for this Host; a PENDING domain locates nothing. */
export async function locatePoolByHost(db: Db, host: string): Promise<(LocatedPool & { domain: string }) | undefined> {
  const domain = hostName(host);
  if (!usable(domain)) return undefined;
  const row = await locatorQueries.byHost(db, domain).executeTakeFirst();
  return row && { ...located(row), domain: row.domain };
}

/** The client with this client_id, its pool and account; whichever face created it. */
export async function locateClient(db: Db, clientId: string): Promise<LocatedClient | undefined> {
  if (!usable(clientId)) return undefined;
  const row = await locatorQueries.byClientId(db, clientId).executeTakeFirst();
  return row && { ...located(row), clientId: row.client_api_identifier, clientType: row.client_type, clientEnabled: row.enabled };
}
