// The SQL of ListUsers: filters, sorts and the keyset cursor. Every key here is an expression that an
// index of sql/010_users_upstream.sql is built on, spelled the same way, so each filter and each sort
// (with its cursor) is one index range however deep the page.
import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from "kysely";
import type { Database } from "../platform/db/schema.js";
import type { Listing } from "../core/page.js";
import type { UserRow } from "./queries.js";
import type { UserState } from "./tables.js";
import { byConnection, byDuplicated, byExternalIdentifiers, duplicatedSource, type DuplicatedField } from "./list-linking.js";
import { whereGroups, type GroupFilter } from "./group-membership.js";
import { whereDepartments, type DepartmentFilter } from "./department-membership.js";

/** The text fields users can be filtered, searched and sorted by, with their index expressions. */
export const TEXT_KEYS = {
  PreferredUsername: sql<string>`(coalesce(lower(preferred_username), '') collate "C")`,
  Email: sql<string>`(coalesce(lower(email), '') collate "C")`,
  PhoneNumber: sql<string>`(coalesce(phone_number, '') collate "C")`,
  Name: sql<string>`(lower(name) collate "C")`,
  GivenName: sql<string>`(lower(given_name) collate "C")`,
  FamilyName: sql<string>`(lower(family_name) collate "C")`,
  MiddleName: sql<string>`(lower(middle_name) collate "C")`,
  Nickname: sql<string>`(lower(nickname) collate "C")`,
  Website: sql<string>`(lower(website) collate "C")`,
  Gender: sql<string>`(lower(gender) collate "C")`,
  Locale: sql<string>`(lower(locale) collate "C")`,
} satisfies Record<string, RawBuilder<string>>;

export type TextField = keyof typeof TEXT_KEYS;
export const TEXT_FIELDS = Object.keys(TEXT_KEYS) as [TextField, ...TextField[]];
export const SORT_FIELDS = ["CreateTime", "UpdateTime", ...TEXT_FIELDS] as const;
export type SortField = (typeof SORT_FIELDS)[number];

/** A value compared with a key: lower-cased by the database's own lower() (as the index is), except phone numbers. */
const keyValue = (field: TextField, v: string) =>
  field === "PhoneNumber" ? sql<string>`(${v}::text collate "C")` : sql<string>`(lower(${v}::text) collate "C")`;

export interface Search {
  Search: string;
  Fields: TextField[];
  ExactMatch: boolean;
}

export interface UserFilter {
  equals: Partial<Record<TextField, string>>;
  /** true: the field is "" (or null); false: it has a value. */
  empty: Partial<Record<TextField, boolean>>;
  searches: Search[];
  uids?: string[] | undefined;
  userState?: UserState | undefined;
  /** A filter no user can match. */
  none?: boolean | undefined;
  /** Filter.LatestBrowser and Filter.LatestLoginMethod: exact, case-insensitive (indexes of sql/027). */
  latestBrowser?: string | undefined;
  latestLoginMethod?: string | undefined;
  /** true: email, phone number and name all empty; false: at least one of them set. */
  contactless?: boolean | undefined;
  /** Filter.CustomAttributeFilter, built against the pool's definitions (attribute-filter.ts). */
  attributes?: RawBuilder<SqlBool> | undefined;
  /** Filter.Connection and Filter.ExternalProviderUserIdentifiersOr (list-linking.ts). */
  connection?: string | undefined;
  externalIds?: string[] | undefined;
  /** EmailIsDuplicated / PhoneNumberIsDuplicated (list-linking.ts). */
  duplicated?: DuplicatedField[] | undefined;
  groups?: GroupFilter | undefined;
  departments?: DepartmentFilter | undefined;
}

export const hasFilter = (f: UserFilter) =>
  Object.keys(f.equals).length > 0 ||
  Object.keys(f.empty).length > 0 ||
  f.searches.length > 0 ||
  f.uids !== undefined ||
  f.userState !== undefined ||
  f.none === true ||
  f.contactless !== undefined ||
  f.attributes !== undefined ||
  f.groups !== undefined ||
  f.departments !== undefined ||
  f.connection !== undefined ||
  f.externalIds !== undefined ||
  !!f.duplicated?.length ||
  f.latestBrowser !== undefined ||
  f.latestLoginMethod !== undefined;

/** Exact, or a case-insensitive prefix as a range (key >= p and key < p || U+10FFFF): a btree range even in a generic plan. */
function match(field: TextField, s: Search): RawBuilder<SqlBool> {
  const key = TEXT_KEYS[field];
  const v = keyValue(field, s.Search);
  return s.ExactMatch ? sql`${key} = ${v}` : sql`(${key} >= ${v} and ${key} < (${v} || chr(1114111)) collate "C")`;
}

type Db = Kysely<Database>;
const usersOf = (db: Db) => db.selectFrom("users");

function filtered(db: Db, accountId: string, poolUid: string, f: UserFilter) {
  const pool = { accountId, poolUid };
  const dup = f.duplicated ?? [];
  // With a *IsDuplicated flag the rows come from the pool read once with its counts (list-linking.ts), under the name users.
  const from = dup.length ? (db.selectFrom(duplicatedSource(pool, dup)) as unknown as ReturnType<typeof usersOf>) : usersOf(db);
  let q = from.where("account_id", "=", accountId).where("user_pool_uid", "=", poolUid);
  if (f.none) q = q.where(sql<SqlBool>`false`);
  if (f.uids !== undefined) q = q.where("uid", "in", f.uids.length ? f.uids : [""]);
  if (f.userState !== undefined) q = q.where("user_state", "=", f.userState);
  if (f.latestBrowser !== undefined)
    q = q.where(sql<SqlBool>`(lower(latest_browser) collate "C") = (lower(${f.latestBrowser}::text) collate "C")`);
  if (f.latestLoginMethod !== undefined)
    q = q.where(sql<SqlBool>`(lower(latest_login_method) collate "C") = (lower(${f.latestLoginMethod}::text) collate "C")`);
  q = byDuplicated(byExternalIdentifiers(byConnection(q, f.connection), pool, f.externalIds), dup);
  q = whereDepartments(whereGroups(q, f.groups), f.departments, pool);
  for (const [field, v] of Object.entries(f.equals) as [TextField, string][])
    q = q.where(sql<SqlBool>`${TEXT_KEYS[field]} = ${keyValue(field, v)}`);
  for (const [field, isEmpty] of Object.entries(f.empty) as [TextField, boolean][])
    q = q.where(sql<SqlBool>`${TEXT_KEYS[field]} ${sql.raw(isEmpty ? "=" : ">")} ''`);
  if (f.contactless !== undefined) {
    const all = sql<SqlBool>`(${TEXT_KEYS.Email} = '' and ${TEXT_KEYS.PhoneNumber} = '' and coalesce(name, '') = '')`;
    q = q.where(f.contactless ? all : sql<SqlBool>`not ${all}`);
  }
  if (f.attributes) q = q.where(f.attributes);
  for (const s of f.searches) {
    const ors = s.Fields.map((field) => match(field, s));
    q = q.where(sql<SqlBool>`(${sql.join(ors, sql` or `)})`);
  }
  return q;
}

export interface Sort {
  field: SortField;
  direction: "Asc" | "Desc";
}

/** The sort key of a row, as text for the cursor (UpdateTime in epoch microseconds: exact, and safe to parse back). */
function keyOf(field: SortField): RawBuilder<string> | undefined {
  if (field === "CreateTime") return undefined;
  if (field === "UpdateTime") return sql<string>`(extract(epoch from updated_at) * 1000000)::bigint::text`;
  return TEXT_KEYS[field];
}

/** Where a cursor continues: after (key, seq) in the sort's direction. */
export interface After {
  key: string;
  seq: string;
}

export type ListedUser = UserRow & { sort_key: string | null };

/**
 * With a UniversalSearch, the ORDER BY goes through expressions no index holds (`seq + 0`, ...): the
 * planner then collects the matches through the fields' indexes (a BitmapOr of ranges) and sorts
 * them, so the cost follows the number of matches. Ordered by an index, it would walk the pool in
 * that order hoping to meet a LIMIT's worth of matches early, which clustered matches (user12000 to
 * user12999, created together) defeat: 920 ms instead of a few at 100,000 users (bench/users).
 */
export function userListing(
  db: Db,
  accountId: string,
  poolUid: string,
  f: UserFilter,
  sort: Sort,
  after?: After,
): Listing<Database, "users", ListedUser> {
  const desc = sort.direction === "Desc";
  const key: Expression<unknown> | undefined =
    sort.field === "CreateTime" ? undefined : sort.field === "UpdateTime" ? sql`updated_at` : TEXT_KEYS[sort.field];
  const op = sql.raw(desc ? "<" : ">");
  const dir = desc ? "desc" : "asc";
  const opaque = f.searches.length > 0;
  const orderKey = key && (opaque ? (sort.field === "UpdateTime" ? sql`(updated_at + interval '0 s')` : sql`(${key} || '')`) : key);
  const orderSeq = opaque ? sql`(seq + 0)` : sql`seq`;
  return {
    filtered: filtered(db, accountId, poolUid, f),
    rows: (q) => {
      let r = q;
      if (after && !key) r = r.where(sql<SqlBool>`seq ${op} ${after.seq}::bigint`);
      else if (after && sort.field === "UpdateTime")
        r = r.where(
          sql<SqlBool>`(updated_at, seq) ${op} (timestamptz 'epoch' + ${after.key}::bigint * interval '1 microsecond', ${after.seq}::bigint)`,
        );
      else if (after) r = r.where(sql<SqlBool>`(${key}, seq) ${op} ((${after.key}::text collate "C"), ${after.seq}::bigint)`);
      const keyText = keyOf(sort.field);
      const selected = r.selectAll().select((keyText ?? sql<string | null>`null`).as("sort_key"));
      return (orderKey ? selected.orderBy(sql`${orderKey}`, dir) : selected).orderBy(orderSeq, dir) as never;
    },
  };
}
