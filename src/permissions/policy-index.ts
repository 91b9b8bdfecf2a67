// The per-namespace policy index a check uses, cached per process and keyed by the namespace's
// policy version (read by every check in the same statement as the namespace): a policy write on
// any instance moves the version, so the next check rebuilds. No LISTEN needed, so it holds behind
// PgBouncer in transaction mode. The index finds the policies whose scope can match a request
// (the "slice"); Cedar then decides on that slice alone, since a policy outside its scope cannot apply.
import type { Db } from "../platform/db/types.js";
import type { EntityUid, PolicyScope } from "./cedar.js";
import { enabledPolicies } from "./policy-queries.js";

export interface IndexedPolicy {
  id: string;
  name: string;
  text: string;
  effect: string;
  conditional: boolean;
  /** The Definition's Condition when it was made of parts, else the whole Cedar text. */
  condition: string;
  scope: PolicyScope;
}

export interface PolicyIndex {
  version: string;
  all: IndexedPolicy[];
  byId: Map<string, IndexedPolicy>;
  byPrincipal: Map<string, IndexedPolicy[]>;
  anyPrincipal: IndexedPolicy[];
  byResource: Map<string, IndexedPolicy[]>;
  anyResource: IndexedPolicy[];
}

export const keyOf = (e: EntityUid) => `${e.type}::${JSON.stringify(e.id)}`;
type Constraint = PolicyScope["principal"];

/** The entity a constraint names (== or in), undefined for All and is. */
function namedEntity(c: Constraint): EntityUid | undefined {
  return c.op === "==" || c.op === "in" ? c.entity : c.op === "is" && c.in ? c.in.entity : undefined;
}

/** Whether a constraint can hold for `uid`, given the keys of uid and all its ancestors (`closure`). */
export function constraintMatches(c: Constraint, uid: EntityUid, closure: Set<string>): boolean {
  switch (c.op) {
    case "All":
      return true;
    case "==":
      return c.entity !== undefined && keyOf(c.entity) === keyOf(uid);
    case "in":
      return c.entity ? closure.has(keyOf(c.entity)) : (c.entities ?? []).some((e) => closure.has(keyOf(e)));
    case "is":
      return c.entity_type === uid.type && (!c.in || closure.has(keyOf(c.in.entity)));
  }
}

function build(version: string, rows: Awaited<ReturnType<typeof enabledPolicies>>): PolicyIndex {
  const index: PolicyIndex = {
    version,
    all: [],
    byId: new Map(),
    byPrincipal: new Map(),
    anyPrincipal: [],
    byResource: new Map(),
    anyResource: [],
  };
  const add = (map: Map<string, IndexedPolicy[]>, key: string, p: IndexedPolicy) => {
    const list = map.get(key);
    if (list) list.push(p);
    else map.set(key, [p]);
  };
  for (const r of rows) {
    const scope = r.scope as PolicyScope;
    const p: IndexedPolicy = {
      id: r.id,
      name: r.name,
      text: r.text,
      effect: r.effect,
      conditional: r.conditional,
      condition: r.definition.Condition || (r.conditional ? r.text : ""),
      scope,
    };
    index.all.push(p);
    index.byId.set(p.id, p);
    const pe = namedEntity(scope.principal);
    if (pe) add(index.byPrincipal, keyOf(pe), p);
    else index.anyPrincipal.push(p);
    const re = namedEntity(scope.resource);
    if (re) add(index.byResource, keyOf(re), p);
    else index.anyResource.push(p);
  }
  return index;
}

const MAX_CACHED = 64;
/** By namespace: the index at a version, or the load of it under way (concurrent checks share one load). */
const cache = new Map<string, { version: string; index: Promise<PolicyIndex> }>();

/** The namespace's index at `version`, from the cache or rebuilt from the database. */
export function policyIndex(db: Db, accountId: string, namespaceId: string, version: string): Promise<PolicyIndex> {
  const key = `${accountId}:${namespaceId}`;
  const had = cache.get(key);
  if (had && had.version === version) return had.index;
  const index = enabledPolicies(db, accountId, namespaceId).then((rows) => build(version, rows));
  cache.delete(key);
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(key, { version, index });
  // A failed load is not kept: the next check tries again.
  index.catch(() => cache.get(key)?.index === index && cache.delete(key));
  return index;
}

/** Policies listed under any of the closure's keys, or under none (their side matches by type or any). */
function side(map: Map<string, IndexedPolicy[]>, any: IndexedPolicy[], closure: Set<string>): IndexedPolicy[] {
  const out = [...any];
  for (const k of closure) {
    const list = map.get(k);
    if (list) out.push(...list);
  }
  return out;
}

/** The policies whose scope matches the request: the only ones Cedar needs to see. */
export function slice(
  index: PolicyIndex,
  req: { principal: EntityUid; principalClosure: Set<string>; action?: EntityUid; resource?: EntityUid; resourceClosure?: Set<string> },
): IndexedPolicy[] {
  const byP = side(index.byPrincipal, index.anyPrincipal, req.principalClosure);
  const byR = req.resourceClosure ? side(index.byResource, index.anyResource, req.resourceClosure) : index.all;
  const start = byP.length <= byR.length ? byP : byR;
  const actionClosure = req.action ? new Set([keyOf(req.action)]) : undefined;
  return start.filter(
    (p) =>
      constraintMatches(p.scope.principal, req.principal, req.principalClosure) &&
      (!req.action || constraintMatches(p.scope.action, req.action, actionClosure!)) &&
      (!req.resource || constraintMatches(p.scope.resource, req.resource, req.resourceClosure!)),
  );
}
