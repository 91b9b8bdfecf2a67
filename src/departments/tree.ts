// The tree's use cases: create, read, update (rename and move), delete, and the read shapes (a page
// of children, a batch, the tree, the path up). Writes own their transaction and take the pool's tree
// lock first (lock.ts); reads compute the counts of exactly the departments they answer.
import { randomUUID } from "node:crypto";
import { sql, type Transaction } from "kysely";
import type { AppDeps } from "../deps.js";
import { errors } from "../core/errors.js";
import { onUniqueViolation } from "../platform/db/errors.js";
import type { Database } from "../platform/db/schema.js";
import type { Db } from "../platform/db/types.js";
import { parentPool } from "../user-pools/parent.js";
import { lockTree } from "./lock.js";
import * as q from "./queries.js";
import { MAX_DEPTH, TOP, type CreateDepartmentInput, type DeleteDepartmentInput, type UpdateDepartmentInput } from "./schemas.js";
import { departmentView } from "./view.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock">;
export const departmentNotFound = (uid: string) => errors.notFound(`Department ${uid}`);
export const keyOf = (accountId: string, poolUid: string): q.PoolKey => ({ accountId, poolUid });

/** The department, or NotFound. */
export async function requireDepartment(db: Db, k: q.PoolKey, uid: string): Promise<q.DepartmentRow> {
  const row = await q.findDepartment(db, k, uid);
  if (!row) throw departmentNotFound(uid);
  return row;
}

/** A parent reference: null for the top level, else the department (NotFound when it is not one). */
export async function parentOf(db: Db, k: q.PoolKey, ref: string): Promise<q.DepartmentRow | null> {
  return ref === TOP ? null : requireDepartment(db, k, ref);
}

/** Where a child of `parent` sits: its path, name path and depth. */
export function placeUnder(parent: q.DepartmentRow | null, uid: string, name: string) {
  return { path: `${parent?.path ?? "/"}${uid}/`, namePath: `${parent?.name_path ?? ""}/${name}`, depth: (parent?.depth ?? 0) + 1 };
}

export const tooDeepMessage = `departments nest at most ${MAX_DEPTH} levels deep`;
export const tooDeep = (param: string) => errors.invalidParameter(param, tooDeepMessage);
export const duplicatedExternalId = (source: string, id: string) =>
  errors.duplicated(`Department with Source ${source} and ExternalID ${id}`);

/** Counts a single department and answers it. */
export async function viewOne(db: Db, k: q.PoolKey, row: q.DepartmentRow) {
  return departmentView(row, (await q.countsOf(db, k, [row])).get(row.uid));
}

export interface NewDepartment {
  name: string;
  description?: string | undefined;
  precedence?: number | undefined;
  iamRoleTrn?: string | undefined;
  externalId?: string | undefined;
  source?: string | undefined;
}

/** Inserts a department under the lock the caller holds; the caller has checked the quota. */
export function insertRow(
  trx: Transaction<Database>,
  deps: Pick<Deps, "clock">,
  k: q.PoolKey,
  parent: q.DepartmentRow | null,
  fields: NewDepartment,
) {
  if ((parent?.depth ?? 0) + 1 > MAX_DEPTH) throw tooDeep("ParentDepartmentUid");
  const uid = randomUUID();
  const place = placeUnder(parent, uid, fields.name);
  const now = deps.clock.now();
  const source = fields.source ?? "Manual";
  const insert = q.insertDepartment(trx, {
    account_id: k.accountId,
    user_pool_uid: k.poolUid,
    uid,
    parent_uid: parent?.uid ?? null,
    path: place.path,
    depth: place.depth,
    name: fields.name,
    name_path: place.namePath,
    description: fields.description ?? "",
    external_id: fields.externalId ?? "",
    source,
    precedence: fields.precedence ?? 0,
    iam_role_trn: fields.iamRoleTrn ?? "",
    created_at: now,
    updated_at: now,
  });
  return onUniqueViolation(insert, "departments__external_id", () => duplicatedExternalId(source, fields.externalId ?? ""));
}

/** DepartmentsPerPool for `adding` more, counted under the tree lock. */
export async function checkPoolQuota(trx: Transaction<Database>, deps: Pick<Deps, "config">, k: q.PoolKey, adding: number): Promise<void> {
  if ((await q.countDepartments(trx, k)) + adding > deps.config.quotas.departmentsPerPool) throw errors.quotaExceeded("DepartmentsPerPool");
}

export async function createDepartment(deps: Deps, accountId: string, input: CreateDepartmentInput) {
  const k = keyOf(accountId, input.UserPoolUid);
  const row = await deps.db.transaction().execute(async (trx) => {
    await lockTree(trx, k);
    const parent = await parentOf(trx, k, input.ParentDepartmentUid);
    await checkPoolQuota(trx, deps, k, 1);
    return insertRow(trx, deps, k, parent, {
      name: input.Name,
      description: input.Description,
      precedence: input.Precedence,
      iamRoleTrn: input.IamRoleTrn,
      externalId: input.ExternalID,
      source: input.Source,
    });
  });
  return departmentView(row);
}

export async function getDepartment(deps: Pick<Deps, "db">, accountId: string, input: { UserPoolUid: string; DepartmentUid: string }) {
  const k = keyOf(accountId, input.UserPoolUid);
  await parentPool(deps.db, accountId, k.poolUid, "read");
  return viewOne(deps.db, k, await requireDepartment(deps.db, k, input.DepartmentUid));
}

/**
 * Moves `row` (with its subtree) under `parent` and/or renames it, under the caller's lock. A move
 * under itself or its own subtree is a cycle, refused; so is one past MAX_DEPTH.
 */
export async function moveOrRename(
  trx: Transaction<Database>,
  k: q.PoolKey,
  row: q.DepartmentRow,
  parent: q.DepartmentRow | null | undefined,
  name: string | undefined,
): Promise<void> {
  const target = parent === undefined ? (row.parent_uid === null ? null : await requireDepartment(trx, k, row.parent_uid)) : parent;
  if (target && target.path.startsWith(row.path))
    throw errors.invalidParameter("ParentDepartmentUid", "a department cannot move under itself or a department below it");
  const to = placeUnder(target, row.uid, name ?? row.name);
  if (to.path === row.path && to.namePath === row.name_path) return;
  if (to.depth !== row.depth) {
    const below = await trx
      .selectFrom("departments")
      .select((e) => e.fn.max("depth").as("d"))
      .where("account_id", "=", k.accountId)
      .where("user_pool_uid", "=", k.poolUid)
      .where(q.inSubtree(row.path))
      .executeTakeFirstOrThrow();
    if (Number(below.d) - row.depth + to.depth > MAX_DEPTH) throw tooDeep("ParentDepartmentUid");
  }
  await q.rewriteSubtree(trx, k, { path: row.path, namePath: row.name_path, depth: row.depth }, to);
  if (to.path !== row.path) await q.updateDepartment(trx, k, row.uid, { parent_uid: target?.uid ?? null });
}

export async function updateDepartment(deps: Deps, accountId: string, input: UpdateDepartmentInput) {
  const k = keyOf(accountId, input.UserPoolUid);
  const row = await deps.db.transaction().execute(async (trx) => {
    await lockTree(trx, k);
    const current = await requireDepartment(trx, k, input.DepartmentUid);
    const parent = input.ParentDepartmentUid === undefined ? undefined : await parentOf(trx, k, input.ParentDepartmentUid);
    const changes: Partial<q.DepartmentRow> = {};
    if (input.Name !== undefined && input.Name !== current.name) changes.name = input.Name;
    if (input.Description !== undefined && input.Description !== current.description) changes.description = input.Description;
    if (input.Precedence !== undefined && input.Precedence !== current.precedence) changes.precedence = input.Precedence;
    if (input.IamRoleTrn !== undefined && input.IamRoleTrn !== current.iam_role_trn) changes.iam_role_trn = input.IamRoleTrn;
    const moves = parent !== undefined && (parent?.uid ?? null) !== current.parent_uid;
    if (!moves && Object.keys(changes).length === 0) return current;
    if (moves || changes.name !== undefined) await moveOrRename(trx, k, current, parent, changes.name);
    return q.updateDepartment(trx, k, current.uid, { ...changes, updated_at: deps.clock.now() });
  });
  return viewOne(deps.db, k, row);
}

/** What DeleteDepartment does with members: MemberPolicy, or Remove when ForceDeleteMembers. */
const policyOf = (input: DeleteDepartmentInput) => input.MemberPolicy ?? (input.ForceDeleteMembers ? "Remove" : "Refuse");

export async function deleteDepartment(
  deps: Deps,
  accountId: string,
  input: DeleteDepartmentInput,
): Promise<{ departments: number; memberships: number }> {
  const k = keyOf(accountId, input.UserPoolUid);
  const policy = policyOf(input);
  return deps.db.transaction().execute(async (trx) => {
    await lockTree(trx, k);
    const row = await requireDepartment(trx, k, input.DepartmentUid);
    const size = await q.subtreeSize(trx, k, row.path);
    if (size.departments > 1 && !input.ForceDeleteChildren) {
      throw errors.invalidParameter(
        "ForceDeleteChildren",
        `department ${row.uid} has departments below it; set ForceDeleteChildren to delete them too`,
      );
    }
    if (size.memberships > 0 && policy === "Refuse") {
      throw errors.invalidParameter(
        "MemberPolicy",
        `the departments to delete have ${size.memberships} memberships; set MemberPolicy (Remove or MoveToParent) or ForceDeleteMembers`,
      );
    }
    if (size.memberships > 0 && policy === "MoveToParent") {
      if (row.parent_uid === null)
        throw errors.invalidParameter("MemberPolicy", "a top-level department has no parent to move its members to");
      await moveMembersUp(k, row).execute(trx);
    }
    return { departments: await q.deleteSubtree(trx, k, row.path), memberships: size.memberships };
  });
}

/** The subtree's members become plain members (not primary, no role) of the top's parent; those already there stay as they are. */
const moveMembersUp = (k: q.PoolKey, row: q.DepartmentRow) => sql`
  insert into department_members (account_id, user_pool_uid, department_uid, user_uid, is_primary, role, created_at)
  select distinct on (m.user_uid) m.account_id, m.user_pool_uid, ${row.parent_uid}, m.user_uid, false, '', now()
    from department_members m join departments d on d.account_id = m.account_id and d.user_pool_uid = m.user_pool_uid and d.uid = m.department_uid
   where d.account_id = ${k.accountId} and d.user_pool_uid = ${k.poolUid} and ${q.inSubtree(row.path)}
  on conflict do nothing`;
