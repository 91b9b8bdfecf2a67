// BatchGetObjectPermissions and BatchGetSubjectPermissions: per task, the enabled policies whose
// scope reaches the object (its registered ancestors and References included) or the subject (its
// groups and References), one row per action the policy names, paged. Conditional policies are left
// out unless IncludeConditionalPolicies: whether they apply depends on the request.
import type { z } from "zod";
import type { AppDeps } from "../deps.js";
import type { EntityUid, PolicyScope } from "./cedar.js";
import { loadRequest } from "./check.js";
import type * as ps from "./policy-schemas.js";
import { constraintMatches, slice, type IndexedPolicy } from "./policy-index.js";

type Deps = Pick<AppDeps, "db">;
type Ref = { Id: string; Type: string };
type Task = z.output<typeof ps.objectTasksInput>["Tasks"][number] | z.output<typeof ps.subjectTasksInput>["Tasks"][number];
const ANY = { Id: "*", Type: "*" };

/** The entities a constraint names: [] for All, the type with Id "*" for `is`. */
function entitiesOf(c: PolicyScope["principal"]): Ref[] {
  if (c.op === "All") return [ANY];
  if (c.op === "is") return [{ Type: c.entity_type, Id: "*" }];
  const list = c.entity ? [c.entity] : (c.entities ?? []);
  return list.map((e) => ({ Type: e.type, Id: e.id }));
}

interface Row {
  Action: Ref;
  Effect: string;
  Condition: string;
  Conditional: boolean;
  PolicyId: string;
  PolicyName: string;
  other: Ref;
}

function rows(policies: IndexedPolicy[], task: Task, otherSide: "principal" | "resource"): Row[] {
  const f = task.Filter ?? {};
  const out: Row[] = [];
  for (const p of policies) {
    if (p.conditional && !task.IncludeConditionalPolicies) continue;
    if (f.Effects?.length && !f.Effects.includes(p.effect as "Allow" | "Deny")) continue;
    const actions = p.scope.action.op === "All" ? [{ Type: "Action", Id: "*" }] : entitiesOf(p.scope.action);
    const wantedTypes = otherSide === "principal" ? f.SubjectTypes : f.ObjectTypes;
    const others = entitiesOf(p.scope[otherSide]).filter((o) => !wantedTypes?.length || o.Type === "*" || wantedTypes.includes(o.Type));
    for (const a of actions) {
      if (f.Actions?.length && a.Id !== "*" && !f.Actions.includes(a.Id)) continue;
      for (const other of others)
        out.push({
          Action: a,
          Effect: p.effect,
          Condition: p.condition,
          Conditional: p.conditional,
          PolicyId: p.id,
          PolicyName: p.name,
          other,
        });
    }
  }
  return out.sort((x, y) =>
    x.PolicyName < y.PolicyName ? -1 : x.PolicyName > y.PolicyName ? 1 : x.Action.Id < y.Action.Id ? -1 : x.Action.Id > y.Action.Id ? 1 : 0,
  );
}

function page<T>(all: T[], task: Task, index: number) {
  const start = (task.PageNumber - 1) * task.PageSize;
  return {
    TaskIndex: index,
    Data: all.slice(start, start + task.PageSize),
    PageNumber: task.PageNumber,
    PageSize: task.PageSize,
    TotalCount: all.length,
  };
}

const uidOf = (r: Ref): EntityUid => ({ type: r.Type, id: r.Id });
const strip = ({ other: _o, ...r }: Row) => r;

export async function objectPermissions(deps: Deps, accountId: string, input: z.output<typeof ps.objectTasksInput>) {
  const Results = [];
  for (const [i, task] of input.Tasks.entries()) {
    const { index, graph } = await loadRequest(deps.db, accountId, input.NamespaceName, undefined, task.Object, task.References);
    const object = uidOf(task.Object);
    const closure = graph.closure(object);
    const applies = index.all.filter((p) => constraintMatches(p.scope.resource, object, closure));
    const list = task.Filter?.ObjectTypes?.length && !task.Filter.ObjectTypes.includes(object.type) ? [] : rows(applies, task, "principal");
    Results.push(
      page(
        list.map((r) => ({ ...strip(r), Subject: r.other })),
        task,
        i,
      ),
    );
  }
  return { Results };
}

export async function subjectPermissions(deps: Deps, accountId: string, input: z.output<typeof ps.subjectTasksInput>) {
  const Results = [];
  for (const [i, task] of input.Tasks.entries()) {
    const { index, graph } = await loadRequest(deps.db, accountId, input.NamespaceName, task.Subject, undefined, task.References);
    const subject = uidOf(task.Subject);
    const applies = slice(index, { principal: subject, principalClosure: graph.closure(subject) });
    const list =
      task.Filter?.SubjectTypes?.length && !task.Filter.SubjectTypes.includes(subject.type) ? [] : rows(applies, task, "resource");
    Results.push(
      page(
        list.map((r) => ({ ...strip(r), Resource: r.other })),
        task,
        i,
      ),
    );
  }
  return { Results };
}
