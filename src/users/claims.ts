// The OpenID Connect claims of a user, by scope (docs/sign-in.md "Claims"; OpenID Connect Core §5.4):
// openid -> sub; profile -> the name fields, preferred_username, profile, picture, website, gender,
// birthdate, zoneinfo, locale, updated_at; email -> email, email_verified; phone -> phone_number,
// phone_number_verified. Two more, each only when the pool defines the custom scope of that name
// (UpdateUserPool CustomScopes) and the token was granted it: `custom_attributes` -> one
// `custom:<Name>` claim per custom attribute value (as stored: a string), and `groups` -> `groups`,
// the names of the user's groups, sorted; `departments` -> `departments`, the uids of the user's
// departments as DepartmentUids lists them (the primary one first; a uid, since names repeat and
// change). A claim without a value is left out, as Core §5.3.2 asks.
import type { AppDeps } from "../deps.js";
import type { UserRow } from "./queries.js";
import * as q from "./queries.js";
import { findParentPool } from "../user-pools/parent.js";
import { membershipUids } from "./membership-uids.js";

export const CUSTOM_ATTRIBUTES_SCOPE = "custom_attributes";
export const GROUPS_SCOPE = "groups";
export const DEPARTMENTS_SCOPE = "departments";

export type Claims = Record<string, string | boolean | number | string[]>;

/** The profile scope's claims from a user's row, each the column of the same name (and `updated_at`, from its time). */
export const PROFILE_CLAIMS = [
  "name",
  "given_name",
  "family_name",
  "middle_name",
  "nickname",
  "preferred_username",
  "profile",
  "picture",
  "website",
  "gender",
  "birthdate",
  "zoneinfo",
  "locale",
] as const satisfies readonly (keyof UserRow)[];

/** The columns of a user's row that its claims come from (and its state: only an ACTIVE user has claims). */
export const CLAIM_COLUMNS = [
  "uid",
  "user_state",
  ...PROFILE_CLAIMS,
  "email",
  "email_verified",
  "phone_number",
  "phone_number_verified",
  "custom_attributes",
  "updated_at",
] as const satisfies readonly (keyof UserRow)[];

/** A user's row as far as its claims go. */
export type ClaimsUser = Pick<UserRow, (typeof CLAIM_COLUMNS)[number]>;

/** The claims of a user row for granted scopes; `extras` are the pool-scope claims already read. */
export function claimsOf(
  user: ClaimsUser,
  scopes: ReadonlySet<string>,
  extras: { groups?: string[] | undefined; departments?: string[] | undefined; custom?: boolean } = {},
): Claims {
  const claims: Claims = { sub: user.uid };
  if (scopes.has("profile")) {
    for (const column of PROFILE_CLAIMS) {
      const value = user[column];
      if (typeof value === "string" && value !== "") claims[column] = value;
    }
    claims.updated_at = Math.floor(user.updated_at.getTime() / 1000);
  }
  if (scopes.has("email") && user.email) Object.assign(claims, { email: user.email, email_verified: user.email_verified });
  if (scopes.has("phone") && user.phone_number)
    Object.assign(claims, { phone_number: user.phone_number, phone_number_verified: user.phone_number_verified });
  if (extras.custom) for (const [name, value] of Object.entries(user.custom_attributes)) if (value !== "") claims[`custom:${name}`] = value;
  if (extras.groups) claims.groups = extras.groups;
  if (extras.departments?.length) claims.departments = extras.departments;
  return claims;
}

/** A pool's user as sign-in answers for it: the row and the pool's custom scopes, read together. */
export interface ClaimsSource {
  accountId: string;
  poolUid: string;
  user: ClaimsUser;
  poolCustomScopes: readonly string[];
}

/**
 * The user and its pool's custom scopes, or undefined when the user is gone or DISABLED (so userinfo
 * stops answering for a disabled user at once). Sign-in reads this once per request and derives
 * every claims set of that request from it (claimsFrom).
 */
export async function claimsSource(
  deps: Pick<AppDeps, "db">,
  accountId: string,
  poolUid: string,
  userUid: string,
  /**
   * The pool's custom scopes when the caller already holds them: sign-in's provider, built from a
   * snapshot of the pool that is checked every 5 s and located (enabled, not deleted) per request.
   * Without them the pool is read beside the user.
   */
  knownCustomScopes?: readonly string[],
): Promise<ClaimsSource | undefined> {
  const [user, pool] = await Promise.all([
    q.findUser(deps.db, accountId, poolUid, userUid),
    knownCustomScopes ? { custom_scopes: [...knownCustomScopes] } : findParentPool(deps.db, accountId, poolUid, "read"),
  ]);
  return pool && claimsSourceOf(accountId, poolUid, user, pool.custom_scopes);
}

/** claimsSource for a user row already read (sign-in's code lookup reads it ahead): undefined unless ACTIVE. */
export function claimsSourceOf(
  accountId: string,
  poolUid: string,
  user: ClaimsUser | undefined,
  poolCustomScopes: readonly string[],
): ClaimsSource | undefined {
  if (user?.user_state !== "ACTIVE") return undefined;
  return { accountId, poolUid, user, poolCustomScopes };
}

/** The claims of a user already read for the scopes a token was granted (groups and departments are read when granted). */
export async function claimsFrom(deps: Pick<AppDeps, "db">, source: ClaimsSource, scopes: Iterable<string>): Promise<Claims> {
  const { accountId, poolUid, user, poolCustomScopes } = source;
  const userUid = user.uid;
  const granted = new Set(scopes);
  const poolScope = (s: string) => granted.has(s) && poolCustomScopes.includes(s);
  const groups = poolScope(GROUPS_SCOPE)
    ? (
        await deps.db
          .selectFrom("group_members as m")
          .innerJoin("groups as g", (j) =>
            j
              .onRef("g.account_id", "=", "m.account_id")
              .onRef("g.user_pool_uid", "=", "m.user_pool_uid")
              .onRef("g.uid", "=", "m.group_uid"),
          )
          .select("g.name")
          .where("m.account_id", "=", accountId)
          .where("m.user_pool_uid", "=", poolUid)
          .where("m.user_uid", "=", userUid)
          .orderBy("g.name")
          .execute()
      ).map((r) => r.name)
    : undefined;
  const departments = poolScope(DEPARTMENTS_SCOPE)
    ? (await membershipUids(deps.db, accountId, poolUid, [userUid], "departments")).get(userUid)
    : undefined;
  return claimsOf(user, granted, { groups, departments, custom: poolScope(CUSTOM_ATTRIBUTES_SCOPE) });
}

/**
 * The claims of a pool's user for the scopes a token was granted, or undefined when the user is
 * gone or DISABLED.
 */
export async function claimsForUser(
  deps: Pick<AppDeps, "db">,
  accountId: string,
  poolUid: string,
  userUid: string,
  scopes: Iterable<string>,
): Promise<Claims | undefined> {
  const source = await claimsSource(deps, accountId, poolUid, userUid);
  return source && claimsFrom(deps, source, scopes);
}
