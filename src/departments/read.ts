// The tree's read shapes: a page of a department's children (ListDepartments), a batch by uid, the
// tree below a department (GetDepartmentTree) and the path above one (GetDepartmentPath). Each
// computes the counts of exactly the departments it answers (queries.ts).
import type { AppDeps } from "../deps.js";
import { errors } from "../core/errors.js";
import { cursorPage, offsetPage } from "../core/page.js";
import { decodeDepartmentCursor, encodeDepartmentCursor } from "./cursor.js";
import { parentPool } from "../user-pools/parent.js";
import * as q from "./queries.js";
import { TOP, type DepartmentFilterInput, type ListDepartmentsInput, type TreeInput, type TreeNode } from "./schemas.js";
import { keyOf, parentOf, requireDepartment } from "./tree.js";
import { departmentView, viewsOf } from "./view.js";

type Deps = Pick<AppDeps, "db">;

export function filterOf(f: DepartmentFilterInput = {}): q.DepartmentFilter {
  return {
    uid: f.DepartmentUid || undefined,
    name: f.Name ? { text: f.Name, exact: f.NameMatchMode === 1 } : undefined,
    description: f.Description || undefined,
    externalId: f.ExternalID || undefined,
    source: f.Source || undefined,
  };
}

const hasFilter = (f: q.DepartmentFilter) => Object.values(f).some((v) => v !== undefined);

export async function listDepartments(deps: Deps, accountId: string, input: ListDepartmentsInput) {
  const k = keyOf(accountId, input.UserPoolUid);
  await parentPool(deps.db, accountId, k.poolUid, "read");
  const parent = await parentOf(deps.db, k, input.ParentDepartmentUid);
  const field = input.SortField ?? "Precedence";
  const direction = input.SortDirection ?? (field === "Precedence" || field === "Name" ? "Asc" : "Desc");
  const sort = { field, direction };
  const cursor = input.NextToken !== undefined || input.MaxResults !== undefined;
  const after = input.NextToken ? decodeDepartmentCursor(input.NextToken, sort) : undefined;
  if (input.NextToken && !after)
    throw errors.invalidParameter("NextToken", "the NextToken is not one this service issued for this SortField and SortDirection");
  const listing = q.childListing(
    deps.db,
    k,
    parent?.uid ?? null,
    filterOf(input.Filter),
    { key: field, direction: direction === "Asc" ? "asc" : "desc" },
    after,
  );
  if (cursor) {
    // A keyset page (src/departments/cursor.ts): the same cost at any depth.
    const size = input.MaxResults ?? input.PageSize;
    const page = await cursorPage(
      listing,
      size,
      (r) => r,
      (last) => encodeDepartmentCursor(sort, { key: last.sort_key, uid: last.uid }),
    );
    const counts = await q.countsOf(deps.db, k, page.Data);
    return { Data: viewsOf(page.Data, counts), PageNumber: 0, PageSize: size, TotalCount: page.TotalCount, NextToken: page.NextToken };
  }
  const page = await offsetPage(listing, input, (r) => r);
  const counts = await q.countsOf(deps.db, k, page.Data);
  return { ...page, Data: viewsOf(page.Data, counts), NextToken: "" };
}

export async function batchGetDepartments(deps: Deps, accountId: string, input: { UserPoolUid: string; DepartmentUids: string[] }) {
  const k = keyOf(accountId, input.UserPoolUid);
  await parentPool(deps.db, accountId, k.poolUid, "read");
  const rows = await q.findDepartments(deps.db, k, [...new Set(input.DepartmentUids)]);
  const counts = await q.countsOf(deps.db, k, rows);
  return { DepartmentsByUid: Object.fromEntries(rows.map((r) => [r.uid, departmentView(r, counts.get(r.uid))])) };
}

export async function getDepartmentPath(deps: Deps, accountId: string, input: { UserPoolUid: string; DepartmentUid: string }) {
  const k = keyOf(accountId, input.UserPoolUid);
  await parentPool(deps.db, accountId, k.poolUid, "read");
  const row = await requireDepartment(deps.db, k, input.DepartmentUid);
  const uids = row.path.split("/").filter(Boolean);
  const rows = await q.findDepartments(deps.db, k, uids);
  const byUid = new Map(rows.map((r) => [r.uid, r]));
  const ordered = uids.map((u) => byUid.get(u)).filter((r): r is q.DepartmentRow => r !== undefined);
  return { Path: viewsOf(ordered, await q.countsOf(deps.db, k, ordered)) };
}

/**
 * The subtree as nested nodes. With a filter, mode 0 keeps the matches and their ancestors (below
 * the root), mode 1 answers the matches alone as childless roots. Linear in the subtree.
 */
export async function getDepartmentTree(deps: Deps, accountId: string, input: TreeInput): Promise<{ Roots: TreeNode[] }> {
  const k = keyOf(accountId, input.UserPoolUid);
  await parentPool(deps.db, accountId, k.poolUid, "read");
  const root = await parentOf(deps.db, k, input.RootDepartmentUid);
  const levels = input.MaxDepth || undefined;
  const maxDepth = levels === undefined ? undefined : (root?.depth ?? 1) + levels - 1;
  const [rows, counts] = await Promise.all([
    root ? q.subtree(deps.db, k, root.path, maxDepth) : q.wholeTree(deps.db, k, maxDepth),
    q.subtreeCounts(deps.db, k, root?.path),
  ]);
  const filter = filterOf(input.Filter);
  const node = (r: q.DepartmentRow): TreeNode => {
    const view = departmentView(r, counts.get(r.uid));
    return { Department: view, MemberCount: view.MemberCount, Children: [] };
  };
  if (hasFilter(filter) && input.FilterResultMode === 1) {
    const hits = await q.matching(deps.db, k, root?.path, filter);
    return { Roots: rows.filter((r) => hits.has(r.uid)).map(node) };
  }
  let kept = rows;
  if (hasFilter(filter)) {
    const hits = await q.matching(deps.db, k, root?.path, filter);
    // A match keeps every department on its path (those are its ancestors within the answer).
    const keep = new Set<string>();
    for (const r of rows) if (hits.has(r.uid)) for (const u of r.path.split("/")) if (u) keep.add(u);
    kept = rows.filter((r) => keep.has(r.uid));
  }
  const nodes = new Map<string, TreeNode>();
  const roots: TreeNode[] = [];
  // Rows come parents first (by depth), each level by precedence then uid: children keep that order.
  for (const r of kept) {
    const n = node(r);
    nodes.set(r.uid, n);
    const parent = r.parent_uid === null ? undefined : nodes.get(r.parent_uid);
    if (parent) parent.Children.push(n);
    else if (root ? r.uid === root.uid : r.parent_uid === null) roots.push(n);
  }
  return { Roots: roots };
}

export { TOP };
