// SQL for namespaces and what hangs off them (resources, actions, permission points). Every query
// is scoped by account_id first, then the namespace, as the indexes of sql/050_permissions.sql lead.
// Policies' SQL is in policy-queries.ts.
import { sql, type Insertable, type Selectable, type SqlBool, type Transaction, type Updateable } from "kysely";
import { countRows, type Listing } from "../core/page.js";
import type { Database } from "../platform/db/schema.js";
import { containsPattern } from "../platform/db/text-match.js";
import type { Db } from "../platform/db/types.js";
import { jsonb } from "../user-pools/queries.js";
import type { PermissionActionsTable, PermissionNamespacesTable, PermissionPointsTable, PermissionResourcesTable } from "./tables.js";

export type NamespaceRow = Selectable<PermissionNamespacesTable>;
export type ResourceRow = Selectable<PermissionResourcesTable>;
export type ActionRow = Selectable<PermissionActionsTable>;
export type PointRow = Selectable<PermissionPointsTable>;

const namespaces = (db: Db, accountId: string) => db.selectFrom("permission_namespaces").where("account_id", "=", accountId);

export function findNamespace(
  db: Db,
  accountId: string,
  by: { id?: string | undefined; name?: string | undefined },
  lock?: "share" | "update",
): Promise<NamespaceRow | undefined> {
  let q = namespaces(db, accountId).selectAll();
  if (by.id !== undefined) q = q.where("id", "=", by.id);
  if (by.name !== undefined) q = q.where("name", "=", by.name);
  if (lock === "share") q = q.forKeyShare();
  if (lock === "update") q = q.forNoKeyUpdate();
  return q.executeTakeFirst();
}

export const countNamespaces = (db: Db, accountId: string) => countRows(namespaces(db, accountId));

export function insertNamespace(
  db: Db,
  row: Omit<Insertable<PermissionNamespacesTable>, "tags" | "associates"> & { tags: unknown; associates: unknown },
): Promise<NamespaceRow> {
  return db
    .insertInto("permission_namespaces")
    .values({ ...row, tags: jsonb(row.tags), associates: jsonb(row.associates) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateNamespace(
  db: Db,
  accountId: string,
  id: string,
  changes: { description?: string; associates?: string[]; updated_at: Date },
) {
  const { associates, ...rest } = changes;
  await db
    .updateTable("permission_namespaces")
    .set({ ...rest, ...(associates !== undefined ? { associates: jsonb(associates) } : {}) })
    .where("account_id", "=", accountId)
    .where("id", "=", id)
    .execute();
}

export async function deleteNamespace(db: Db, accountId: string, name: string): Promise<boolean> {
  const r = await db.deleteFrom("permission_namespaces").where("account_id", "=", accountId).where("name", "=", name).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** Counts a policy write: the next check on any instance reloads the namespace's policies. */
export async function bumpPolicyVersion(trx: Transaction<Database>, accountId: string, namespaceId: string): Promise<void> {
  await sql`update permission_namespaces set policy_version = policy_version + 1 where account_id = ${accountId} and id = ${namespaceId}`.execute(
    trx,
  );
}

export interface NamespaceFilter {
  description?: string | undefined;
  id?: string | undefined;
  name?: string | undefined;
  projectName?: string | undefined;
  tagFilters: { Key: string; Values?: string[] | undefined }[];
}

export const NAMESPACE_SORTS = { CreateTime: sql`created_at`, UpdateTime: sql`updated_at`, Name: sql`(name collate "C")` };

export function namespaceListing(
  db: Db,
  accountId: string,
  f: NamespaceFilter,
  sort: { key: keyof typeof NAMESPACE_SORTS; direction: "asc" | "desc" },
): Listing<Database, "permission_namespaces", NamespaceRow> {
  let q = namespaces(db, accountId);
  if (f.description) q = q.where("description", "ilike", containsPattern(f.description));
  if (f.name) q = q.where("name", "ilike", containsPattern(f.name));
  if (f.id !== undefined) q = q.where("id", "=", f.id);
  if (f.projectName !== undefined) q = q.where("project_name", "=", f.projectName);
  for (const t of f.tagFilters) {
    const wanted = t.Values?.length ? t.Values.map((Value) => [{ Key: t.Key, Value }]) : [[{ Key: t.Key }]];
    q = q.where((eb) => eb.or(wanted.map((w) => eb(sql.ref("tags"), "@>", jsonb(w)))));
  }
  return { filtered: q, rows: (r) => r.selectAll().orderBy(NAMESPACE_SORTS[sort.key], sort.direction).orderBy("id", sort.direction) };
}

// Resources
const resources = (db: Db, accountId: string, namespaceId: string) =>
  db.selectFrom("permission_resources").where("account_id", "=", accountId).where("namespace_id", "=", namespaceId);

export function findResource(db: Db, accountId: string, namespaceId: string, key: string, lock = false): Promise<ResourceRow | undefined> {
  const q = resources(db, accountId, namespaceId).selectAll().where("key", "=", key);
  return (lock ? q.forNoKeyUpdate() : q).executeTakeFirst();
}

export const countResources = (db: Db, accountId: string, namespaceId: string) => countRows(resources(db, accountId, namespaceId));

export function insertResource(db: Db, row: Insertable<PermissionResourcesTable>): Promise<ResourceRow> {
  return db.insertInto("permission_resources").values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateResource(
  db: Db,
  accountId: string,
  namespaceId: string,
  key: string,
  changes: Updateable<PermissionResourcesTable>,
): Promise<ResourceRow> {
  return db
    .updateTable("permission_resources")
    .set(changes)
    .where("account_id", "=", accountId)
    .where("namespace_id", "=", namespaceId)
    .where("key", "=", key)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The deepest path below `key` (its descendants' ancestor counts), or null when it has none. */
export async function deepestBelow(db: Db, accountId: string, namespaceId: string, key: string): Promise<number | null> {
  const r = await resources(db, accountId, namespaceId)
    .select(sql<number | null>`max(cardinality(path))`.as("n"))
    .where(sql<SqlBool>`path @> array[${key}]::text[]`)
    .executeTakeFirst();
  return r?.n ?? null;
}

/** Moves every descendant of `key` with it: their path from `key` on follows `prefix` (the new ancestors of key). */
export async function movePathsBelow(
  trx: Transaction<Database>,
  accountId: string,
  namespaceId: string,
  key: string,
  prefix: string[],
): Promise<void> {
  await sql`update permission_resources set path = ${sql.val(prefix)}::text[] || path[array_position(path, ${key}):]
             where account_id = ${accountId} and namespace_id = ${namespaceId} and path @> array[${key}]::text[]`.execute(trx);
}

export async function hasChildren(db: Db, accountId: string, namespaceId: string, key: string): Promise<boolean> {
  return (
    (await resources(db, accountId, namespaceId).select("key").where("parent_key", "=", key).limit(1).executeTakeFirst()) !== undefined
  );
}

export async function deleteResource(db: Db, accountId: string, namespaceId: string, key: string): Promise<boolean> {
  const r = await db
    .deleteFrom("permission_resources")
    .where("account_id", "=", accountId)
    .where("namespace_id", "=", namespaceId)
    .where("key", "=", key)
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}

export function resourceListing(
  db: Db,
  accountId: string,
  namespaceId: string,
  f: { parentKey?: string | undefined; type?: string | undefined },
): Listing<Database, "permission_resources", ResourceRow> {
  let q = resources(db, accountId, namespaceId);
  if (f.parentKey !== undefined) q = q.where("parent_key", "=", f.parentKey);
  if (f.type !== undefined) q = q.where("type", "=", f.type);
  return { filtered: q, rows: (r) => r.selectAll().orderBy(sql`key collate "C"`) };
}

// Actions
export function findAction(db: Db, accountId: string, id: string): Promise<ActionRow | undefined> {
  return db.selectFrom("permission_actions").selectAll().where("account_id", "=", accountId).where("id", "=", id).executeTakeFirst();
}

export function insertAction(db: Db, row: Insertable<PermissionActionsTable>): Promise<ActionRow> {
  return db.insertInto("permission_actions").values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateAction(
  db: Db,
  accountId: string,
  id: string,
  changes: Updateable<PermissionActionsTable>,
): Promise<ActionRow | undefined> {
  return db
    .updateTable("permission_actions")
    .set(changes)
    .where("account_id", "=", accountId)
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteAction(db: Db, accountId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom("permission_actions").where("account_id", "=", accountId).where("id", "=", id).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

export function actionListing(
  db: Db,
  accountId: string,
  namespaceId: string,
  resourceType: string | undefined,
): Listing<Database, "permission_actions", ActionRow> {
  let q = db.selectFrom("permission_actions").where("account_id", "=", accountId).where("namespace_id", "=", namespaceId);
  if (resourceType !== undefined) q = q.where("resource_type", "=", resourceType);
  return { filtered: q, rows: (r) => r.selectAll().orderBy(sql`resource_type collate "C"`).orderBy(sql`key collate "C"`) };
}

// Permission points
export function findPoint(
  db: Db,
  accountId: string,
  by: { id?: string | undefined; namespaceId?: string | undefined; authPointId?: string | undefined },
): Promise<PointRow | undefined> {
  let q = db.selectFrom("permission_points").selectAll().where("account_id", "=", accountId);
  if (by.id !== undefined) q = q.where("id", "=", by.id);
  if (by.namespaceId !== undefined) q = q.where("namespace_id", "=", by.namespaceId);
  if (by.authPointId !== undefined) q = q.where("auth_point_id", "=", by.authPointId);
  return q.executeTakeFirst();
}

export function insertPoint(db: Db, row: Insertable<PermissionPointsTable>): Promise<PointRow> {
  return db.insertInto("permission_points").values(row).returningAll().executeTakeFirstOrThrow();
}

export function updatePoint(
  db: Db,
  accountId: string,
  id: string,
  changes: Updateable<PermissionPointsTable>,
): Promise<PointRow | undefined> {
  return db
    .updateTable("permission_points")
    .set(changes)
    .where("account_id", "=", accountId)
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}

export async function deletePoint(db: Db, accountId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom("permission_points").where("account_id", "=", accountId).where("id", "=", id).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

export function pointListing(
  db: Db,
  accountId: string,
  namespaceId: string,
  authPointId: string | undefined,
): Listing<Database, "permission_points", PointRow> {
  let q = db.selectFrom("permission_points").where("account_id", "=", accountId).where("namespace_id", "=", namespaceId);
  if (authPointId) q = q.where("auth_point_id", "=", authPointId);
  return { filtered: q, rows: (r) => r.selectAll().orderBy(sql`auth_point_id collate "C"`) };
}
