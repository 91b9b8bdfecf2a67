// Applying an outside source's departments (BatchUpsertDepartments, a sync session's commit): each
// item, keyed by (Source, ExternalID), is created, updated (moved under ExternalParentID, renamed...)
// or deleted, with a per-item result; with `deleteAbsent` the Source's departments no item names are
// deleted too. Runs inside the caller's transaction under the tree lock; a dry run is the same work
// rolled back (sync-run.ts), so its answer is exactly what a real run would do.
import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import type { AppDeps } from "../deps.js";
import { onUniqueViolation } from "../platform/db/errors.js";
import type { Database } from "../platform/db/schema.js";
import * as q from "./queries.js";
import { MAX_DEPTH, type DepartmentView } from "./schemas.js";
import { TreeModel } from "./sync-model.js";
import * as sq from "./sync-queries.js";
import { checkPoolQuota, duplicatedExternalId, tooDeep, tooDeepMessage } from "./tree.js";
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

/**
 * Decides every item in memory, parents before children (an item waits for its ExternalParentID)
 * and upserts before deletes, as if they ran one by one; then writes them set-based: one INSERT of
 * the creates, one UPDATE of the changes, one recursive UPDATE of the paths below them, one DELETE
 * of the deleted subtrees. The statements a run takes do not grow with its items.
 */
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
  // Counts as they were, for the Before of the departments the run may touch.
  const before = await countsFor(trx, k, opts.deleteAbsent ? existingRows : existingRows.filter((r) => seen.has(r.external_id)));
  const creates = upserts.filter((u) => !byExternal.has(u.ExternalID)).length;
  if (creates > 0) await checkPoolQuota(trx, deps, k, creates);

  const plan = await planUpserts(trx, k, source, upserts, byExternal, new Set(deletes.map((d) => d.ExternalID)), before);
  for (const [item, result] of plan.results) results.set(item, result);

  // Deletes in item order, then the Source's departments no item named: one inside a subtree
  // deleted before it is already gone.
  const extra: ItemResult[] = [];
  const deleted: string[] = [];
  const deleteOne = (externalId: string): ItemResult => {
    const row = byExternal.get(externalId);
    if (!row || plan.model.isDeleted(row.uid))
      return {
        ExternalID: externalId,
        DepartmentUid: "",
        Operation: "NONE",
        Status: "SKIPPED",
        Message: "no such department (already gone)",
      };
    plan.model.markDeleted(row.uid);
    deleted.push(row.uid);
    return {
      ExternalID: externalId,
      DepartmentUid: row.uid,
      Operation: "DELETE",
      Status: "SUCCEEDED",
      Message: "",
      Before: departmentView(row, before.get(row.uid)),
    };
  };
  for (const item of deletes) results.set(item, deleteOne(item.ExternalID));
  if (opts.deleteAbsent) for (const externalId of byExternal.keys()) if (!seen.has(externalId)) extra.push(deleteOne(externalId));

  const now = deps.clock.now();
  await onUniqueViolation(sq.insertMany(trx, k, source, plan.inserts, now), "departments__external_id", () =>
    duplicatedExternalId(source, plan.inserts[0]?.external_id ?? ""),
  );
  await sq.updateMany(trx, k, plan.updates, now);
  if ((await sq.recomputePaths(trx, k, plan.anchors())) > MAX_DEPTH) throw tooDeep("ParentDepartmentUid");
  // The Afters as written (an unchanged department's path too, when a department above it moved).
  const answered = [...plan.results.values()].filter((r) => r.Status !== "FAILED");
  const written = await sq.rowsByUid(
    trx,
    k,
    answered.map((r) => r.DepartmentUid),
  );
  for (const result of answered) {
    const row = written.get(result.DepartmentUid);
    if (row) result.After = departmentView(row);
  }
  await sq.deleteSubtrees(trx, k, deleted);

  const Items = [...items.map((i) => results.get(i)!), ...extra];
  await withCounts(trx, k, Items);
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

/** The upserts decided in order, against the tree as the earlier ones leave it (the model). */
async function planUpserts(
  trx: Transaction<Database>,
  k: q.PoolKey,
  source: string,
  upserts: SyncItem[],
  byExternal: Map<string, q.DepartmentRow>,
  deleting: Set<string>,
  before: Map<string, q.Counts>,
) {
  const model = new TreeModel([...byExternal.values()]);
  const parentUid = (item: SyncItem) => (item.ExternalParentID ? (byExternal.get(item.ExternalParentID)?.uid ?? null) : null);
  // Levels below each department an item may move (a move must keep the subtree within MAX_DEPTH).
  const heights = await sq.heightsBelow(
    trx,
    k,
    upserts.flatMap((u) => {
      const row = byExternal.get(u.ExternalID);
      return row && parentUid(u) !== row.parent_uid ? [{ uid: row.uid, path: row.path }] : [];
    }),
  );
  const results = new Map<SyncItem, ItemResult>();
  const inserts: sq.NewRow[] = [];
  const updates = new Map<string, Omit<sq.NewRow, "external_id">>();
  /** Created, moved or renamed: their paths (and those below them) are recomputed. */
  const moved = new Set<string>();

  const decide = (item: SyncItem): ItemResult => {
    const parentExt = item.ExternalParentID || undefined;
    if (parentExt && deleting.has(parentExt)) return failed(item.ExternalID, `the parent ${parentExt} is being deleted in the same run`);
    const parentRow = parentExt ? byExternal.get(parentExt) : undefined;
    // A parent item that failed before it: the child fails too, rather than land elsewhere.
    if (parentExt && !parentRow) return failed(item.ExternalID, `the parent ${parentExt} failed in the same run`);
    const parent = parentRow?.uid ?? null;
    const current = byExternal.get(item.ExternalID);
    if (!current) {
      if (model.depthOf(parent) + 1 > MAX_DEPTH) return failed(item.ExternalID, tooDeepMessage);
      const uid = randomUUID();
      inserts.push({
        uid,
        parent_uid: parent,
        name: item.Name!,
        description: item.Description ?? "",
        precedence: item.Precedence ?? 0,
        external_id: item.ExternalID,
      });
      model.setParent(uid, parent);
      moved.add(uid);
      // Later items name it as a parent by its ExternalID.
      byExternal.set(item.ExternalID, { uid, parent_uid: parent } as q.DepartmentRow);
      return { ExternalID: item.ExternalID, DepartmentUid: uid, Operation: "CREATE", Status: "SUCCEEDED", Message: "" };
    }
    const next = {
      uid: current.uid,
      parent_uid: parent,
      name: item.Name ?? current.name,
      description: item.Description ?? current.description,
      precedence: item.Precedence ?? current.precedence,
    };
    const moves = parent !== current.parent_uid;
    const unchanged =
      !moves && next.name === current.name && next.description === current.description && next.precedence === current.precedence;
    const beforeView = departmentView(current, before.get(current.uid));
    if (unchanged)
      return {
        ExternalID: item.ExternalID,
        DepartmentUid: current.uid,
        Operation: "NONE",
        Status: "SKIPPED",
        Message: "unchanged",
        Before: beforeView,
        After: departmentView(current),
      };
    if (moves) {
      if (parent !== null && model.isWithin(parent, current.uid))
        return failed(item.ExternalID, "a department cannot move under itself or a department below it", current.uid);
      if (model.depthOf(parent) + 1 + (heights.get(current.uid) ?? 0) > MAX_DEPTH)
        return failed(item.ExternalID, tooDeepMessage, current.uid);
      model.setParent(current.uid, parent);
    }
    if (moves || next.name !== current.name) moved.add(current.uid);
    updates.set(current.uid, next);
    return {
      ExternalID: item.ExternalID,
      DepartmentUid: current.uid,
      Operation: "UPDATE",
      Status: "SUCCEEDED",
      Message: "",
      Before: beforeView,
    };
  };

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
      results.set(item, decide(item));
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
  return {
    model,
    results,
    inserts,
    updates: [...updates.values()],
    /** The recomputation starts at the changed departments with no changed department above them. */
    anchors: () => [...moved].filter((uid) => !model.hasAncestorIn(uid, moved, true)),
  };
}

/** The counts of the given departments: per department for a page's worth, else three aggregates over the pool. */
function countsFor(trx: Transaction<Database>, k: q.PoolKey, rows: Pick<q.DepartmentRow, "uid" | "path">[]) {
  return rows.length <= 100 ? q.countsOf(trx, k, rows) : q.subtreeCounts(trx, k, undefined);
}

/** The After views get the counts the departments have once the run is through. */
async function withCounts(trx: Transaction<Database>, k: q.PoolKey, items: ItemResult[]): Promise<void> {
  const views = items.map((i) => i.After).filter((v): v is DepartmentView => v !== undefined);
  const counts = await countsFor(
    trx,
    k,
    views.map((v) => ({ uid: v.Uid, path: `${v.Path}/` })),
  );
  for (const v of views) {
    const c = counts.get(v.Uid) ?? { children: 0, members: 0, memberCount: 0 };
    Object.assign(v, { DirectChildrenCount: c.children, DirectMemberCount: c.members, MemberCount: c.memberCount });
  }
}
