// The API representations of namespaces, resources, actions, permission points and policies.
import type { Config } from "../platform/config.js";
import { formatTime } from "../core/time.js";
import { trn } from "../user-pools/view.js";
import type { PolicyRow } from "./policy-queries.js";
import type { ActionRow, NamespaceRow, PointRow, ResourceRow } from "./queries.js";

const times = (r: { created_at: Date; updated_at: Date }) => ({
  CreateTime: formatTime(r.created_at),
  UpdateTime: formatTime(r.updated_at),
});

export const namespaceTrn = (config: Pick<Config, "region">, accountId: string, id: string) =>
  trn(config.region, accountId, "namespace", id);

export function namespaceView(config: Pick<Config, "region">, r: NamespaceRow) {
  return {
    NamespaceId: r.id,
    NamespaceName: r.name,
    Description: r.description,
    ProjectName: r.project_name,
    Tags: r.tags.map((t) => ({ Key: t.Key, Value: t.Value })),
    Associates: r.associates,
    Trn: namespaceTrn(config, r.account_id, r.id),
    ...times(r),
  };
}

export function resourceView(r: ResourceRow) {
  return {
    ResourceId: r.id,
    ResourceKey: r.key,
    ResourceName: r.name,
    ResourceType: r.type,
    ParentResourceKey: r.parent_key ?? "",
    Path: `/${[...r.path, r.key].join("/")}`,
    Description: r.description,
    Properties: r.properties,
    Enabled: true,
    NamespaceId: r.namespace_id,
    ...times(r),
  };
}

export function actionView(r: ActionRow) {
  return {
    ActionId: r.id,
    ActionKey: r.key,
    ActionName: r.name,
    ResourceType: r.resource_type,
    Description: r.description,
    Enabled: true,
    NamespaceId: r.namespace_id,
    ...times(r),
  };
}

export function pointView(r: PointRow) {
  return {
    PermissionPointId: r.id,
    NamespaceId: r.namespace_id,
    AuthPointId: r.auth_point_id,
    AuthPointLink: r.link,
    AuthPointName: r.name,
    AuthPointType: r.type,
    DecisionMode: r.decision_mode,
    Enabled: r.enabled,
    ...times(r),
  };
}

export function policyView(config: Pick<Config, "region">, r: PolicyRow) {
  return {
    PolicyId: r.id,
    PolicyName: r.name,
    Policy: r.text,
    Description: r.description,
    NamespaceId: r.namespace_id,
    Trn: `${namespaceTrn(config, r.account_id, r.namespace_id)}/policy/${r.id}`,
    ...times(r),
  };
}

export const policyListItem = (config: Pick<Config, "region">, r: PolicyRow) => ({
  ...policyView(config, r),
  Status: r.status,
  Definition: r.definition,
});

/**
 * A list's Filter.Id and Filter.Trn as the one id they name: a Trn outside `prefix` (another account,
 * region or namespace), or an Id and a Trn that disagree, name none ("!" is no id's value).
 */
export function idFilter(f: { Id?: string | undefined; Trn?: string | undefined }, prefix: string): string | undefined {
  const id = f.Id || undefined;
  if (!f.Trn) return id;
  const fromTrn = f.Trn.startsWith(prefix) ? f.Trn.slice(prefix.length) : "!";
  return id === undefined || id === fromTrn ? fromTrn : "!";
}

/** A list's sort: SortField and SortDirection, names ascending and times descending unless told. */
export const sortOf = <K extends string>(input: { SortField: K; SortDirection?: "Asc" | "Desc" | undefined }) => ({
  key: input.SortField,
  direction: (input.SortDirection ?? (input.SortField === "Name" ? "Asc" : "Desc")) === "Asc" ? ("asc" as const) : ("desc" as const),
});
