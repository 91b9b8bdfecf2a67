// Applying an outside source's departments (BatchUpsertDepartments, a sync session's commit): each
// item, keyed by (Source, ExternalID), is created, updated (moved under ExternalParentID, renamed...)
// or deleted, with a per-item result; with `deleteAbsent` the Source's departments no item names are
// deleted too. Runs inside the caller's transaction under the tree lock; a dry run is the same work
// rolled back (sync-run.ts), so its answer is exactly what a real run would do.
import type { Transaction } from "kysely";
import type { AppDeps } from "../deps.js";
import { ApiError } from "../core/errors.js";
import type { Database } from "../platform/db/schema.js";
import * as q from "./queries.js";
import type { DepartmentView } from "./schemas.js";
import { checkPoolQuota, insertRow, moveOrRename } from "./tree.js";
import { departmentView } from "./view.js";

type Deps = Pick<AppDeps, "config" | "clock">;

export interface SyncItem {
  Action?: "UPSERT" | "DELETE" | undefined;
  ExternalID: string;
  ExternalParentID?: string | undefined;
  Name?: string | undefined;
  Description?: string | undefined;
  Precedence?: number | undefined;
}

export interface ItemResult {
  ExternalID: string;
  DepartmentUid: string;
  Operation: "CREATE" | "UPDATE" | "DELETE" | "NONE";
  Status: "SUCCEEDED" | "FAILED" | "SKIPPED";
  Message: string;
  Before?: DepartmentView | undefined;
  After?: DepartmentView | undefined;
}

export interface DepartmentsOutcome {
  Created: number;
  Updated: number;
  Deleted: number;
  Skipped: number;
  Errors: string[];
  Items: ItemResult[];
  /** Departments of the Source before the run, and how many of them no item named (sessions' threshold). */
  existing: number;
  absent: number;
}

const failed = (ExternalID: string, Message: string, DepartmentUid = ""): ItemResult => ({
  ExternalID,
  DepartmentUid,
  Operation: "NONE",
  Status: "FAILED",
  Message,
});

/** Upserts first, parents before children (an item waits for its ExternalParentID), then deletes. */
export async function applyDepartments(
  trx: Transaction<Database>,
  deps: Deps,
  k: q.PoolKey,
  source: string,
  items: SyncItem[],
  opts: { deleteAbsent: boolean },
): Promise<DepartmentsOutcome> {
  const existingRows = await trx
    .selectFrom("departments")
    .selectAll()
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where("source", "=", source)
    .where("external_id", "<>", "")
    .execute();
  const byExternal = new Map(existingRows.map((r) => [r.external_id, r]));
  const results = new Map<SyncItem, ItemResult>();
  const seen = new Set<string>();
  const upserts: SyncItem[] = [];
  const deletes: SyncItem[] = [];
  for (const item of items) {
    if (seen.has(item.ExternalID)) results.set(item, failed(item.ExternalID, `ExternalID ${item.ExternalID} appears more than once`));
    else if ((item.Action ?? "UPSERT") === "DELETE") deletes.push(item);
    else if (!item.Name) results.set(item, failed(item.ExternalID, "Name is required to create or update a department"));
    else upserts.push(item);
    seen.add(item.ExternalID);
  }
  const deleting = new Set(deletes.map((d) => d.ExternalID));
  // Counts as they were, for the Before of the departments the run may touch.
  const before = await q.countsOfMany(trx, k, opts.deleteAbsent ? existingRows : existingRows.filter((r) => seen.has(r.external_id)));
  const creates = upserts.filter((u) => !byExternal.has(u.ExternalID)).length;
  if (creates > 0) await checkPoolQuota(trx, deps, k, creates);

  // Parents first: an item is ready once its parent is the top level, an existing department of the
  // Source not being deleted, or an item already applied. What never gets ready waits on a missing
  // parent or on a cycle among the items.
  const done = new Set<string>();
  let pending = upserts;
  while (pending.length) {
    const waiting = new Set(pending.map((u) => u.ExternalID));
    const ready = pending.filter(
      (u) =>
        !u.ExternalParentID || done.has(u.ExternalParentID) || (byExternal.has(u.ExternalParentID) && !waiting.has(u.ExternalParentID)),
    );
    if (ready.length === 0) break;
    for (const item of ready) {
      results.set(item, await upsertOne(trx, deps, k, source, item, byExternal, deleting, before));
      done.add(item.ExternalID);
    }
    pending = pending.filter((u) => !done.has(u.ExternalID));
  }
  for (const item of pending)
    results.set(
      item,
      failed(
        item.ExternalID,
        `the parent ${item.ExternalParentID} is not a department of Source ${source}, or the items' parents form a cycle`,
      ),
    );

  for (const item of deletes) results.set(item, await deleteOne(trx, k, item.ExternalID, byExternal, before));
  const extra: ItemResult[] = [];
  if (opts.deleteAbsent) {
    for (const [externalId] of byExternal) {
      if (seen.has(externalId)) continue;
      extra.push(await deleteOne(trx, k, externalId, byExternal, before));
    }
  }
  const Items = [...items.map((i) => results.get(i)!), ...extra];
  await withCounts(trx, k, Items, "After");
  const count = (op: ItemResult["Operation"]) => Items.filter((i) => i.Status === "SUCCEEDED" && i.Operation === op).length;
  return {
    Created: count("CREATE"),
    Updated: count("UPDATE"),
    Deleted: count("DELETE"),
    Skipped: Items.filter((i) => i.Status === "SKIPPED").length,
    Errors: Items.filter((i) => i.Status === "FAILED").map((i) => `${i.ExternalID}: ${i.Message}`),
    Items,
    existing: existingRows.length,
    absent: extra.length,
  };
}

async function upsertOne(
  trx: Transaction<Database>,
  deps: Deps,
  k: q.PoolKey,
  source: string,
  item: SyncItem,
  byExternal: Map<string, q.DepartmentRow>,
  deleting: Set<string>,
  before: Map<string, q.Counts>,
): Promise<ItemResult> {
  const parentExt = item.ExternalParentID || undefined;
  if (parentExt && deleting.has(parentExt)) return failed(item.ExternalID, `the parent ${parentExt} is being deleted in the same run`);
  const parentRow = parentExt ? byExternal.get(parentExt) : undefined;
  // The parent as it is now (earlier items may have moved it).
  const parent = parentRow ? ((await q.findDepartment(trx, k, parentRow.uid)) ?? null) : null;
  const current = byExternal.get(item.ExternalID);
  try {
    if (!current) {
      const row = await insertRow(trx, deps, k, parent, {
        name: item.Name!,
        description: item.Description,
        precedence: item.Precedence,
        externalId: item.ExternalID,
        source,
      });
      byExternal.set(item.ExternalID, row);
      return {
        ExternalID: item.ExternalID,
        DepartmentUid: row.uid,
        Operation: "CREATE",
        Status: "SUCCEEDED",
        Message: "",
        After: departmentView(row),
      };
    }
    const row = (await q.findDepartment(trx, k, current.uid))!;
    const changes: Partial<q.DepartmentRow> = {};
    if (item.Name !== undefined && item.Name !== row.name) changes.name = item.Name;
    if (item.Description !== undefined && item.Description !== row.description) changes.description = item.Description;
    if (item.Precedence !== undefined && item.Precedence !== row.precedence) changes.precedence = item.Precedence;
    const moves = (parent?.uid ?? null) !== row.parent_uid;
    if (!moves && Object.keys(changes).length === 0)
      return {
        ExternalID: item.ExternalID,
        DepartmentUid: row.uid,
        Operation: "NONE",
        Status: "SKIPPED",
        Message: "unchanged",
        Before: departmentView(row, before.get(row.uid)),
        After: departmentView(row),
      };
    if (moves || changes.name !== undefined) await moveOrRename(trx, k, row, moves ? parent : undefined, changes.name);
    const after = await q.updateDepartment(trx, k, row.uid, { ...changes, updated_at: deps.clock.now() });
    byExternal.set(item.ExternalID, after);
    return {
      ExternalID: item.ExternalID,
      DepartmentUid: row.uid,
      Operation: "UPDATE",
      Status: "SUCCEEDED",
      Message: "",
      Before: departmentView(row, before.get(row.uid)),
      After: departmentView(after),
    };
  } catch (err) {
    // Refusals decided before any statement ran (a cycle, too deep): the transaction is still usable.
    if (err instanceof ApiError) return failed(item.ExternalID, err.message, current?.uid);
    throw err;
  }
}

/** Deletes the department with whatever is below it; its memberships go with it (users stay). */
async function deleteOne(
  trx: Transaction<Database>,
  k: q.PoolKey,
  externalId: string,
  byExternal: Map<string, q.DepartmentRow>,
  before: Map<string, q.Counts>,
): Promise<ItemResult> {
  const known = byExternal.get(externalId);
  const row = known && (await q.findDepartment(trx, k, known.uid));
  if (!row)
    return {
      ExternalID: externalId,
      DepartmentUid: "",
      Operation: "NONE",
      Status: "SKIPPED",
      Message: "no such department (already gone)",
    };
  await q.deleteSubtree(trx, k, row.path);
  byExternal.delete(externalId);
  return {
    ExternalID: externalId,
    DepartmentUid: row.uid,
    Operation: "DELETE",
    Status: "SUCCEEDED",
    Message: "",
    Before: departmentView(row, before.get(row.uid)),
  };
}

/** The After views get the counts the departments have once the run is through (a page's worth per statement). */
async function withCounts(trx: Transaction<Database>, k: q.PoolKey, items: ItemResult[], side: "After"): Promise<void> {
  const views = items.map((i) => i[side]).filter((v): v is DepartmentView => v !== undefined);
  const counts = await q.countsOfMany(
    trx,
    k,
    views.map((v) => ({ uid: v.Uid, path: `${v.Path}/` })),
  );
  for (const v of views) {
    const c = counts.get(v.Uid);
    if (c) Object.assign(v, { DirectChildrenCount: c.children, DirectMemberCount: c.members, MemberCount: c.memberCount });
  }
}
