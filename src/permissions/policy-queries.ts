// SQL for policies and for the one statement a check runs: the namespace's policy version, the
// resource's registered ancestry and a User principal's groups, in one round trip.
import { sql, type Insertable, type Selectable, type Updateable } from "kysely";
import { countRows, type Listing } from "../core/page.js";
import type { Database } from "../platform/db/schema.js";
import { containsPattern } from "../platform/db/text-match.js";
import type { Db } from "../platform/db/types.js";
import { jsonb } from "../user-pools/queries.js";
import type { PermissionPoliciesTable } from "./tables.js";

export type PolicyRow = Selectable<PermissionPoliciesTable>;

const policies = (db: Db, accountId: string, namespaceId: string) =>
  db.selectFrom("permission_policies").where("account_id", "=", accountId).where("namespace_id", "=", namespaceId);

export const findPolicy = (db: Db, accountId: string, namespaceId: string, name: string): Promise<PolicyRow | undefined> =>
  policies(db, accountId, namespaceId).selectAll().where("name", "=", name).executeTakeFirst();

export const countPolicies = (db: Db, accountId: string, namespaceId: string) => countRows(policies(db, accountId, namespaceId));

export function insertPolicy(
  db: Db,
  row: Omit<Insertable<PermissionPoliciesTable>, "scope" | "definition"> & { scope: unknown; definition: unknown },
): Promise<PolicyRow> {
  return db
    .insertInto("permission_policies")
    .values({ ...row, scope: jsonb(row.scope), definition: jsonb(row.definition) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updatePolicy(
  db: Db,
  accountId: string,
  namespaceId: string,
  name: string,
  changes: Updateable<PermissionPoliciesTable>,
): Promise<PolicyRow | undefined> {
  return db
    .updateTable("permission_policies")
    .set(changes)
    .where("account_id", "=", accountId)
    .where("namespace_id", "=", namespaceId)
    .where("name", "=", name)
    .returningAll()
    .executeTakeFirst();
}

export async function deletePolicy(db: Db, accountId: string, namespaceId: string, name: string): Promise<boolean> {
  const r = await db
    .deleteFrom("permission_policies")
    .where("account_id", "=", accountId)
    .where("namespace_id", "=", namespaceId)
    .where("name", "=", name)
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}

export const POLICY_SORTS = { CreateTime: sql`created_at`, UpdateTime: sql`updated_at`, Name: sql`(name collate "C")` };

export function policyListing(
  db: Db,
  accountId: string,
  namespaceId: string,
  f: { description?: string | undefined; id?: string | undefined; name?: string | undefined },
  sort: { key: keyof typeof POLICY_SORTS; direction: "asc" | "desc" },
): Listing<Database, "permission_policies", PolicyRow> {
  let q = policies(db, accountId, namespaceId);
  if (f.description) q = q.where("description", "ilike", containsPattern(f.description));
  if (f.name) q = q.where("name", "ilike", containsPattern(f.name));
  if (f.id !== undefined) q = q.where("id", "=", f.id);
  return { filtered: q, rows: (r) => r.selectAll().orderBy(POLICY_SORTS[sort.key], sort.direction).orderBy("id", sort.direction) };
}

/** What a check's policy index is built from: the enabled policies of the namespace. */
export function enabledPolicies(db: Db, accountId: string, namespaceId: string) {
  return policies(db, accountId, namespaceId)
    .select(["id", "name", "text", "effect", "scope", "conditional", "definition"])
    .where("status", "=", "Enabled")
    .execute();
}

export interface CheckRow {
  id: string;
  policy_version: string;
  /** The resource and its registered ancestors: [key, type, properties], any order; null when it is not registered. */
  lineage: [string, string, string][] | null;
  path: string[] | null;
  groups: string[] | null;
}

/**
 * One statement per check. A resource counts as registered when its key and type match a row; a
 * User principal's groups are its group memberships in the account (any pool).
 */
export async function checkRow(
  db: Db,
  accountId: string,
  name: string,
  resource: { key: string; type: string },
  userUid: string | undefined,
): Promise<CheckRow | undefined> {
  const r = await sql<CheckRow>`
    select n.id, n.policy_version, r.path,
      (select json_agg(json_build_array(a.key, a.type, a.properties)) from permission_resources a
        where a.account_id = n.account_id and a.namespace_id = n.id and (a.key = r.key or a.key = any(r.path))) as lineage,
      (select array_agg(m.group_uid) from group_members m where m.account_id = n.account_id and m.user_uid = ${userUid ?? null}::text) as groups
    from permission_namespaces n
    left join permission_resources r on r.account_id = n.account_id and r.namespace_id = n.id and r.key = ${resource.key} and r.type = ${resource.type}
    where n.account_id = ${accountId} and n.name = ${name}`.execute(db);
  return r.rows[0];
}
