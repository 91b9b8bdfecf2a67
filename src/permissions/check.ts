// CheckPermission: one statement reads the namespace's policy version, the resource's registered
// ancestry and a User principal's groups; the request's References add entities and parents; the
// policy index (policy-index.ts) slices the policies whose scope matches; Cedar decides on the slice.
// Deny overrides allow; no policy that applies means deny.
import type { z } from "zod";
import type { AppDeps } from "../deps.js";
import { errors } from "../core/errors.js";
import type { Db } from "../platform/db/types.js";
import { authorize, type Entity, type EntityUid } from "./cedar.js";
import { checkRow } from "./policy-queries.js";
import type * as ps from "./policy-schemas.js";
import { keyOf, policyIndex, slice, type PolicyIndex } from "./policy-index.js";
import { findPoint } from "./queries.js";
import { namespaceNotFound } from "./service.js";

type Deps = Pick<AppDeps, "db">;
type Ref = { Id: string; Type: string };
type References = z.output<typeof ps.checkInput>["References"];

const uidOf = (r: Ref): EntityUid => ({ type: r.Type, id: r.Id });
const MAX_CLOSURE = 1000;

/** The entities a request is judged with: registered lineage, the principal's groups, and References. */
export class EntityGraph {
  readonly entities = new Map<string, Entity>();

  add(uid: EntityUid, parents: EntityUid[] = [], attrs: Record<string, unknown> = {}): void {
    const key = keyOf(uid);
    const had = this.entities.get(key);
    if (!had) this.entities.set(key, { uid, attrs, parents: [...parents] });
    else {
      const have = new Set(had.parents.map(keyOf));
      had.parents.push(...parents.filter((p) => !have.has(keyOf(p))));
      if (Object.keys(attrs).length) had.attrs = attrs;
    }
  }

  addLineage(resource: EntityUid, path: string[] | null, lineage: [string, string, string][] | null): void {
    if (!path || !lineage) return;
    const rows = new Map(
      lineage.map(([key, type, props]) => [key, { type, attrs: props ? (JSON.parse(props) as Record<string, unknown>) : {} }]),
    );
    const chain = [...path, resource.id];
    chain.forEach((key, i) => {
      const row = rows.get(key);
      if (!row) return;
      const parentKey = i > 0 ? chain[i - 1]! : undefined;
      const parent = parentKey !== undefined ? rows.get(parentKey) : undefined;
      this.add({ type: row.type, id: key }, parent ? [{ type: parent.type, id: parentKey! }] : [], row.attrs);
    });
  }

  addReferences(refs: References): void {
    for (const r of refs ?? []) this.add(uidOf(r.Entity), (r.Parents ?? []).map(uidOf));
  }

  /** The keys of uid and of every ancestor it has in the graph (bounded, so cycles end). */
  closure(uid: EntityUid): Set<string> {
    const seen = new Set([keyOf(uid)]);
    const todo = [keyOf(uid)];
    while (todo.length && seen.size < MAX_CLOSURE) {
      for (const p of this.entities.get(todo.pop()!)?.parents ?? []) {
        const k = keyOf(p);
        if (!seen.has(k)) seen.add(k), todo.push(k);
      }
    }
    return seen;
  }
}

/** The namespace's row for a request, its index, and the entity graph around principal and resource. */
export async function loadRequest(
  db: Db,
  accountId: string,
  name: string,
  principal: Ref | undefined,
  resource: Ref | undefined,
  refs: References,
) {
  const row = await checkRow(
    db,
    accountId,
    name,
    { key: resource?.Id ?? "", type: resource?.Type ?? "" },
    principal?.Type === "User" ? principal.Id : undefined,
  );
  if (!row) throw namespaceNotFound(name);
  const index = await policyIndex(db, accountId, row.id, String(row.policy_version));
  const graph = new EntityGraph();
  if (resource) graph.addLineage(uidOf(resource), row.path, row.lineage);
  if (principal)
    graph.add(
      uidOf(principal),
      (row.groups ?? []).map((id) => ({ type: "Group", id })),
    );
  graph.addReferences(refs);
  return { namespaceId: row.id, index, graph };
}

function message(
  index: PolicyIndex,
  allowed: boolean,
  reasons: string[],
  skipped: { policyId: string; message: string }[],
  candidates: number,
): string {
  const names = reasons.map((id) => index.byId.get(id)?.name ?? id).join(", ");
  const base = allowed
    ? `allowed by policy ${names}`
    : reasons.length
      ? `denied by policy ${names} (a matching deny overrides any allow)`
      : candidates
        ? "denied: no policy matched (the conditions of the policies in scope did not hold)"
        : "denied: no policy matched";
  const errs = skipped.map((e) => `policy ${index.byId.get(e.policyId)?.name ?? e.policyId} was skipped: ${e.message}`);
  return [base, ...errs].join("; ");
}

export async function checkPermission(deps: Deps, accountId: string, input: z.output<typeof ps.checkInput>) {
  const { namespaceId, index, graph } = await loadRequest(
    deps.db,
    accountId,
    input.NamespaceName,
    input.Principal,
    input.Resource,
    input.References,
  );
  let permissionPoint = "";
  if (input.PermissionPointId) {
    const point = await findPoint(deps.db, accountId, { id: input.PermissionPointId, namespaceId });
    if (!point) throw errors.notFound(`PermissionPoint ${input.PermissionPointId}`);
    if (!point.enabled) return { Allowed: false, Message: `denied: permission point ${point.auth_point_id} is disabled` };
    permissionPoint = point.auth_point_id;
  }
  const principal = uidOf(input.Principal);
  const resource = uidOf(input.Resource);
  const action = uidOf(input.Operation);
  const candidates = slice(index, {
    principal,
    principalClosure: graph.closure(principal),
    action,
    resource,
    resourceClosure: graph.closure(resource),
  });
  const context = {
    runID: input.Extra?.runID ?? "",
    sessionID: input.Extra?.sessionID ?? "",
    permissionPoint,
    originalCallers: (input.OriginalCallers ?? []).map((c) => ({ __entity: uidOf(c) })),
  };
  const ids = candidates.map((p) => p.id).sort();
  const decision = await authorize(`${namespaceId}:${index.version}:${ids.join(",")}`, candidates, {
    principal,
    action,
    resource,
    context,
    entities: [...graph.entities.values()],
  });
  return { Allowed: decision.allowed, Message: message(index, decision.allowed, decision.reasons, decision.errors, candidates.length) };
}
