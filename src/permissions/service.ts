// Namespaces and their resource trees. Each function is one use case; writes own their transaction
// and hold the namespace (KEY SHARE) while they add to it. Actions and permission points are in
// catalogue.ts, policies in policies.ts, checks in check.ts.
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { AppDeps } from "../deps.js";
import { errors } from "../core/errors.js";
import { offsetPage } from "../core/page.js";
import { onUniqueViolation } from "../platform/db/errors.js";
import { enforceQuota } from "../platform/db/quota.js";
import type { Db } from "../platform/db/types.js";
import * as q from "./queries.js";
import { checkAttributes } from "./cedar.js";
import * as s from "./schemas.js";
import { idFilter, namespaceTrn, namespaceView, resourceView, sortOf } from "./view.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock">;
type In<T extends z.ZodType> = z.output<T>;

export const namespaceNotFound = (what: string) => errors.notFound(`Namespace ${what}`);

/** The namespace by name (or id), or NotFound; `lock` holds it for the rest of the transaction. */
export async function namespaceOf(
  db: Db,
  accountId: string,
  by: { id?: string | undefined; name?: string | undefined },
  lock?: "share" | "update",
): Promise<q.NamespaceRow> {
  if (by.id === undefined && by.name === undefined) throw errors.missingParameter("NamespaceName");
  const row = await q.findNamespace(db, accountId, by, lock);
  if (!row) throw namespaceNotFound(by.name ?? by.id!);
  return row;
}

export async function createNamespace(deps: Deps, accountId: string, input: In<typeof s.createNamespaceInput>) {
  const now = deps.clock.now();
  const row = await deps.db.transaction().execute(async (trx) => {
    await enforceQuota(trx, {
      name: "NamespacesPerAccount",
      scope: accountId,
      limit: s.LIMITS.namespacesPerAccount,
      count: () => q.countNamespaces(trx, accountId),
    });
    const insert = q.insertNamespace(trx, {
      account_id: accountId,
      id: randomUUID(),
      name: input.NamespaceName,
      description: input.Description ?? "",
      ...(input.ProjectName !== undefined ? { project_name: input.ProjectName } : {}),
      tags: input.Tags ?? [],
      associates: input.Associates ?? [],
      created_at: now,
      updated_at: now,
    });
    return onUniqueViolation(insert, "permission_namespaces__name", () => errors.duplicated(`Namespace ${input.NamespaceName}`));
  });
  const view = namespaceView(deps.config, row);
  return { ...view, Associates: view.Associates.join(",") };
}

export async function getNamespace(deps: Deps, accountId: string, input: In<typeof s.getNamespaceInput>) {
  return namespaceView(deps.config, await namespaceOf(deps.db, accountId, { id: input.NamespaceId, name: input.NamespaceName }));
}

export async function updateNamespace(deps: Deps, accountId: string, input: In<typeof s.updateNamespaceInput>) {
  await deps.db.transaction().execute(async (trx) => {
    const ns = await namespaceOf(trx, accountId, { name: input.NamespaceName }, "update");
    if (input.Description === undefined && input.Associates === undefined) return;
    await q.updateNamespace(trx, accountId, ns.id, {
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.Associates ? { associates: input.Associates } : {}),
      updated_at: deps.clock.now(),
    });
  });
  return { Success: true, Message: `namespace ${input.NamespaceName} updated` };
}

export async function deleteNamespace(deps: Deps, accountId: string, name: string) {
  if (!(await q.deleteNamespace(deps.db, accountId, name))) throw namespaceNotFound(name);
  return { Success: true, Message: `namespace ${name} deleted with its resources, actions, permission points and policies` };
}

export async function listNamespaces(deps: Deps, accountId: string, input: In<typeof s.listNamespacesInput>) {
  const f = input.Filter ?? {};
  const id = idFilter(f, namespaceTrn(deps.config, accountId, ""));
  const filter = { description: f.Description, name: f.Name, id, projectName: input.ProjectName, tagFilters: input.TagFilters ?? [] };
  const listing = q.namespaceListing(deps.db, accountId, filter, sortOf(input));
  const page = await offsetPage(listing, input, (r) => {
    const { Associates: _a, ...rest } = namespaceView(deps.config, r);
    return rest;
  });
  return { Namespaces: page.Data, PageNumber: page.PageNumber, PageSize: page.PageSize, TotalCount: page.TotalCount };
}

// Resources
const resourceNotFound = (key: string) => errors.notFound(`Resource ${key}`);

async function checkProperties(text: string | undefined): Promise<void> {
  if (!text) return;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw errors.invalidParameter("Properties", 'must be "" or a JSON object');
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw errors.invalidParameter("Properties", 'must be "" or a JSON object');
  await checkAttributes("Properties", v as Record<string, unknown>);
}

/** The ancestors a child of `parentKey` has (the parent's path and the parent), bounded in depth. */
async function ancestorsUnder(db: Db, accountId: string, namespaceId: string, parentKey: string | undefined): Promise<string[]> {
  if (!parentKey) return [];
  const parent = await q.findResource(db, accountId, namespaceId, parentKey);
  if (!parent) throw resourceNotFound(parentKey);
  return [...parent.path, parent.key];
}

const tooDeep = () =>
  errors.invalidParameter("ParentResourceKey", `the resource tree may be at most ${s.LIMITS.resourceDepth + 1} levels deep`);

export async function createResource(deps: Deps, accountId: string, input: In<typeof s.createResourceInput>) {
  await checkProperties(input.Properties);
  const now = deps.clock.now();
  const row = await deps.db.transaction().execute(async (trx) => {
    const ns = await namespaceOf(trx, accountId, { name: input.NamespaceName }, "share");
    await enforceQuota(trx, {
      name: "ResourcesPerNamespace",
      scope: ns.id,
      limit: s.LIMITS.resourcesPerNamespace,
      count: () => q.countResources(trx, accountId, ns.id),
    });
    const path = await ancestorsUnder(trx, accountId, ns.id, input.ParentResourceKey);
    if (path.length > s.LIMITS.resourceDepth) throw tooDeep();
    const insert = q.insertResource(trx, {
      account_id: accountId,
      namespace_id: ns.id,
      id: randomUUID(),
      key: input.ResourceKey,
      name: input.ResourceName,
      type: input.ResourceType,
      description: input.Description ?? "",
      properties: input.Properties ?? "",
      parent_key: input.ParentResourceKey ?? null,
      path,
      created_at: now,
      updated_at: now,
    });
    return onUniqueViolation(insert, "permission_resources__pkey", () => errors.duplicated(`Resource ${input.ResourceKey}`));
  });
  return resourceView(row);
}

export async function getResource(deps: Deps, accountId: string, input: In<typeof s.resourceRefInput>) {
  const ns = await namespaceOf(deps.db, accountId, { name: input.NamespaceName });
  const row = await q.findResource(deps.db, accountId, ns.id, input.ResourceKey);
  if (!row) throw resourceNotFound(input.ResourceKey);
  return resourceView(row);
}

/**
 * Changes name, description, properties or parent. A new parent moves the whole subtree: never
 * below itself, never deeper than the bound. The namespace row is locked, so two moves in one
 * namespace queue and cannot build a cycle between them.
 */
export async function updateResource(deps: Deps, accountId: string, input: In<typeof s.updateResourceInput>) {
  await checkProperties(input.Properties);
  const row = await deps.db.transaction().execute(async (trx) => {
    const ns = await namespaceOf(trx, accountId, { name: input.NamespaceName }, "update");
    const current = await q.findResource(trx, accountId, ns.id, input.ResourceKey, true);
    if (!current) throw resourceNotFound(input.ResourceKey);
    const changes: Parameters<typeof q.updateResource>[4] = {};
    if (input.ResourceName !== undefined) changes.name = input.ResourceName;
    if (input.Description !== undefined) changes.description = input.Description;
    if (input.Properties !== undefined) changes.properties = input.Properties;
    const newParent = input.ParentResourceKey === undefined ? undefined : input.ParentResourceKey || null;
    if (newParent !== undefined && newParent !== current.parent_key) {
      const path = await ancestorsUnder(trx, accountId, ns.id, newParent ?? undefined);
      if (path.includes(current.key) || newParent === current.key)
        throw errors.invalidParameter("ParentResourceKey", "a resource cannot move below itself");
      const deepest = (await q.deepestBelow(trx, accountId, ns.id, current.key)) ?? current.path.length;
      if (deepest - current.path.length + path.length > s.LIMITS.resourceDepth) throw tooDeep();
      await q.movePathsBelow(trx, accountId, ns.id, current.key, path);
      Object.assign(changes, { parent_key: newParent, path });
    }
    if (Object.keys(changes).length === 0) return current;
    return q.updateResource(trx, accountId, ns.id, current.key, { ...changes, updated_at: deps.clock.now() });
  });
  return resourceView(row);
}

/** Deletes a leaf; a resource with children is refused (delete or move them first). */
export async function deleteResource(deps: Deps, accountId: string, input: In<typeof s.resourceRefInput>) {
  await deps.db.transaction().execute(async (trx) => {
    const ns = await namespaceOf(trx, accountId, { name: input.NamespaceName }, "update");
    if (await q.hasChildren(trx, accountId, ns.id, input.ResourceKey))
      throw errors.invalidRequest(`resource ${input.ResourceKey} has children; delete or move them first`);
    if (!(await q.deleteResource(trx, accountId, ns.id, input.ResourceKey))) throw resourceNotFound(input.ResourceKey);
  });
  return { Success: true, Message: `resource ${input.ResourceKey} deleted` };
}

export async function listResources(deps: Deps, accountId: string, input: In<typeof s.listResourcesInput>) {
  const ns = await namespaceOf(deps.db, accountId, { name: input.NamespaceName });
  return offsetPage(
    q.resourceListing(deps.db, accountId, ns.id, { parentKey: input.ParentResourceKey, type: input.ResourceType }),
    input,
    resourceView,
  );
}
