// The catalogue entries of a namespace: actions (per resource type) and permission points. Checks
// do not require them; a check naming a permission point reads it (check.ts).
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { AppDeps } from "../deps.js";
import { errors } from "../core/errors.js";
import { offsetPage } from "../core/page.js";
import { onUniqueViolation } from "../platform/db/errors.js";
import * as q from "./queries.js";
import type * as s from "./schemas.js";
import { namespaceOf } from "./service.js";
import { actionView, pointView } from "./view.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock">;
type In<T extends z.ZodType> = z.output<T>;

// Actions
const actionNotFound = (id: string) => errors.notFound(`Action ${id}`);

export async function createAction(deps: Deps, accountId: string, input: In<typeof s.createActionInput>) {
  const now = deps.clock.now();
  const row = await deps.db.transaction().execute(async (trx) => {
    const ns = await namespaceOf(trx, accountId, { name: input.NamespaceName }, "share");
    const insert = q.insertAction(trx, {
      account_id: accountId,
      namespace_id: ns.id,
      id: randomUUID(),
      key: input.ActionKey,
      name: input.ActionName,
      resource_type: input.ResourceType,
      description: input.Description ?? "",
      created_at: now,
      updated_at: now,
    });
    return onUniqueViolation(insert, "permission_actions__key", () =>
      errors.duplicated(`Action ${input.ActionKey} of ${input.ResourceType}`),
    );
  });
  return actionView(row);
}

export async function getAction(deps: Deps, accountId: string, id: string) {
  const row = await q.findAction(deps.db, accountId, id);
  if (!row) throw actionNotFound(id);
  return actionView(row);
}

export async function updateAction(deps: Deps, accountId: string, input: In<typeof s.updateActionInput>) {
  const row =
    input.Description === undefined
      ? await q.findAction(deps.db, accountId, input.ActionId)
      : await q.updateAction(deps.db, accountId, input.ActionId, { description: input.Description, updated_at: deps.clock.now() });
  if (!row) throw actionNotFound(input.ActionId);
  return actionView(row);
}

export async function deleteAction(deps: Deps, accountId: string, id: string) {
  if (!(await q.deleteAction(deps.db, accountId, id))) throw actionNotFound(id);
  return { Success: true, Message: `action ${id} deleted` };
}

export async function listActions(deps: Deps, accountId: string, input: In<typeof s.listActionsInput>) {
  const ns = await namespaceOf(deps.db, accountId, { name: input.NamespaceName });
  return offsetPage(q.actionListing(deps.db, accountId, ns.id, input.ResourceType), input, actionView);
}

// Permission points
const pointNotFound = (id: string) => errors.notFound(`PermissionPoint ${id}`);
const pointFields = (input: In<typeof s.createPointInput>) => ({
  auth_point_id: input.AuthPointId,
  link: input.AuthPointLink,
  name: input.AuthPointName,
  type: input.AuthPointType,
  decision_mode: input.DecisionMode,
  enabled: input.Enabled,
});

export async function createPoint(deps: Deps, accountId: string, input: In<typeof s.createPointInput>) {
  const now = deps.clock.now();
  const row = await deps.db.transaction().execute(async (trx) => {
    const ns = await namespaceOf(trx, accountId, { id: input.NamespaceId }, "share");
    const insert = q.insertPoint(trx, {
      account_id: accountId,
      namespace_id: ns.id,
      id: randomUUID(),
      ...pointFields(input),
      created_at: now,
      updated_at: now,
    });
    return onUniqueViolation(insert, "permission_points__auth_point", () => errors.duplicated(`PermissionPoint ${input.AuthPointId}`));
  });
  return pointView(row);
}

export async function getPoint(deps: Deps, accountId: string, input: In<typeof s.getPointInput>) {
  if (!input.PermissionPointId && !(input.NamespaceId && input.AuthPointId))
    throw errors.missingParameter("PermissionPointId", "PermissionPointId, or NamespaceId with AuthPointId, is required");
  const by = input.PermissionPointId
    ? { id: input.PermissionPointId, namespaceId: input.NamespaceId || undefined }
    : { namespaceId: input.NamespaceId, authPointId: input.AuthPointId };
  const row = await q.findPoint(deps.db, accountId, by);
  if (!row) throw pointNotFound(input.PermissionPointId || input.AuthPointId!);
  return pointView(row);
}

export async function updatePoint(deps: Deps, accountId: string, input: In<typeof s.updatePointInput>) {
  const current = await q.findPoint(deps.db, accountId, { id: input.PermissionPointId, namespaceId: input.NamespaceId });
  if (!current) throw pointNotFound(input.PermissionPointId);
  const update = q.updatePoint(deps.db, accountId, current.id, { ...pointFields(input), updated_at: deps.clock.now() });
  await onUniqueViolation(update, "permission_points__auth_point", () => errors.duplicated(`PermissionPoint ${input.AuthPointId}`));
  return { Success: true, Message: `permission point ${current.id} updated` };
}

export async function deletePoint(deps: Deps, accountId: string, id: string) {
  if (!(await q.deletePoint(deps.db, accountId, id))) throw pointNotFound(id);
  return { Success: true, Message: `permission point ${id} deleted` };
}

export async function listPoints(deps: Deps, accountId: string, input: In<typeof s.listPointsInput>) {
  const ns = await namespaceOf(deps.db, accountId, { id: input.NamespaceId });
  const page = await offsetPage(q.pointListing(deps.db, accountId, ns.id, input.AuthPointId), input, pointView);
  return { PermissionPoints: page.Data, PageNumber: page.PageNumber, PageSize: page.PageSize, TotalCount: page.TotalCount };
}
