// Policies of a namespace: Cedar text as given (CreatePolicy's Policy), or written from parts
// (a Definition, or GrantPermission's Principal/Operation/Resource). Every write bumps the
// namespace's policy version in its transaction, so the next check on any instance sees it.
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { AppDeps } from "../deps.js";
import { errors } from "../core/errors.js";
import { offsetPage } from "../core/page.js";
import { onUniqueViolation } from "../platform/db/errors.js";
import { enforceQuota } from "../platform/db/quota.js";
import { checkExpression, type ParsedPolicy, parsePolicy, type PolicyScope } from "./cedar.js";
import * as pq from "./policy-queries.js";
import type * as ps from "./policy-schemas.js";
import { bumpPolicyVersion } from "./queries.js";
import { LIMITS } from "./schemas.js";
import { namespaceOf } from "./service.js";
import type { PolicyDefinition } from "./tables.js";
import { idFilter, namespaceTrn, policyListItem, policyView, sortOf } from "./view.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock">;
type In<T extends z.ZodType> = z.output<T>;
type Definition = z.output<typeof ps.definitionInput>;

const policyNotFound = (name: string) => errors.notFound(`Policy ${name}`);
const lit = (id: string) => JSON.stringify(id);
const ENTITY = /^([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)::("(?:[^"\\\p{Cc}]|\\["\\])*")$/u;

/** A Definition part: "" or "*" for any, `Type::"id"`, or (Operation only) a bare action id. */
function entityPart(field: string, value: string | undefined, bareType?: string): string | undefined {
  if (!value || value === "*") return undefined;
  if (ENTITY.test(value)) return value;
  if (bareType && /^[^\p{Cc}"\\]+$/u.test(value)) return `${bareType}::${lit(value)}`;
  throw errors.invalidParameter(
    `Definition.${field}`,
    `must be "", "*" or an entity such as Type::"id"${bareType ? " (or a bare action id)" : ""}`,
  );
}

/** The Cedar text of a Definition (docs/api/permissions.md, "Definition"). */
export function definitionText(d: Definition): string {
  const principal = entityPart("Principal", d.Principal);
  const action = entityPart("Operation", d.Operation, "Action");
  const resource = entityPart("Resource", d.Resource);
  const head = `${d.Effect === "Deny" ? "forbid" : "permit"} (\n  ${principal ? `principal in ${principal}` : "principal"},\n  ${action ? `action == ${action}` : "action"},\n  ${resource ? `resource in ${resource}` : "resource"}\n)`;
  if (d.Condition) checkExpression(d.Condition, "Definition.Condition");
  return d.Condition ? `${head}\nwhen { ${d.Condition} };` : `${head};`;
}

function describe(c: PolicyScope["principal"]): string {
  if (c.op === "All") return "*";
  if (c.op === "is") return c.entity_type;
  const e = "entity" in c && c.entity ? c.entity : undefined;
  return e ? `${e.type}::${lit(e.id)}` : (c.entities ?? []).map((x) => `${x.type}::${lit(x.id)}`).join(", ");
}

/** What a text policy's Definition reads as: its scope and effect (its conditions stay in the text). */
function definitionOf(parsed: ParsedPolicy, given?: Definition): PolicyDefinition {
  return {
    Principal: given?.Principal ?? describe(parsed.scope.principal),
    PrincipalInfo: given?.PrincipalInfo ?? "",
    Operation: given?.Operation ?? describe(parsed.scope.action),
    Resource: given?.Resource ?? describe(parsed.scope.resource),
    ResourceInfo: given?.ResourceInfo ?? "",
    Effect: parsed.effect,
    Condition: given?.Condition ?? "",
    ConditionInfo: given?.ConditionInfo ?? "",
  };
}

interface NewPolicy {
  NamespaceName: string;
  PolicyName: string;
  text: string;
  definition?: Definition | undefined;
  Description?: string | undefined;
  Status: string;
}

async function insertPolicy(deps: Deps, accountId: string, p: NewPolicy) {
  if (p.text.length > LIMITS.policyChars)
    throw errors.invalidParameter("Policy", `a policy may be at most ${LIMITS.policyChars} characters`);
  const parsed = await parsePolicy(p.text);
  const now = deps.clock.now();
  const row = await deps.db.transaction().execute(async (trx) => {
    const ns = await namespaceOf(trx, accountId, { name: p.NamespaceName }, "update");
    await enforceQuota(trx, {
      name: "PoliciesPerNamespace",
      scope: ns.id,
      limit: LIMITS.policiesPerNamespace,
      count: () => pq.countPolicies(trx, accountId, ns.id),
    });
    const insert = pq.insertPolicy(trx, {
      account_id: accountId,
      namespace_id: ns.id,
      id: randomUUID(),
      name: p.PolicyName,
      description: p.Description ?? "",
      status: p.Status,
      text: p.text,
      effect: parsed.effect,
      scope: parsed.scope,
      conditional: parsed.conditional,
      definition: definitionOf(parsed, p.definition),
      created_at: now,
      updated_at: now,
    });
    const inserted = await onUniqueViolation(insert, "permission_policies__name", () => errors.duplicated(`Policy ${p.PolicyName}`));
    await bumpPolicyVersion(trx, accountId, ns.id);
    return inserted;
  });
  return policyView(deps.config, row);
}

export function createPolicy(deps: Deps, accountId: string, input: In<typeof ps.createPolicyInput>) {
  if ((input.Policy === undefined) === (input.Definition === undefined))
    throw errors.invalidParameter("Policy", "give exactly one of Policy (Cedar text) and Definition");
  const text = input.Policy ?? definitionText(input.Definition!);
  return insertPolicy(deps, accountId, { ...input, text, definition: input.Definition });
}

/** GrantPermission: a policy written from its parts (or a Definition); OriginalCallers each must be among the check's. */
export function grantPermission(deps: Deps, accountId: string, input: In<typeof ps.grantInput>) {
  const name = input.PolicyName ?? `grant-${randomUUID()}`;
  const base = { NamespaceName: input.NamespaceName, PolicyName: name, Description: input.Description, Status: "Enabled" };
  if (input.Definition) {
    if (input.Principal || input.Operation || input.Resource || input.OriginalCallers)
      throw errors.invalidParameter("Definition", "give a Definition or Principal/Operation/Resource/OriginalCallers, not both");
    return insertPolicy(deps, accountId, { ...base, text: definitionText(input.Definition), definition: input.Definition });
  }
  const ref = (e: { Type: string; Id: string }) => `${e.Type}::${lit(e.Id)}`;
  const p = input.Principal ? `principal ${input.Principal.Operator ?? "in"} ${ref(input.Principal)}` : "principal";
  const a = input.Operation ? `action == ${ref(input.Operation)}` : "action";
  const r = input.Resource ? `resource ${input.Resource.Operator ?? "in"} ${ref(input.Resource)}` : "resource";
  const callers = (input.OriginalCallers ?? []).map((c) => `context.originalCallers.contains(${ref(c)})`);
  const head = `${input.Effect === "Deny" ? "forbid" : "permit"} (${p}, ${a}, ${r})`;
  const text = callers.length ? `${head} when { ${callers.join(" && ")} };` : `${head};`;
  return insertPolicy(deps, accountId, { ...base, text });
}

async function findOrThrow(deps: Deps, accountId: string, input: In<typeof ps.policyRefInput>) {
  const ns = await namespaceOf(deps.db, accountId, { name: input.NamespaceName });
  const row = await pq.findPolicy(deps.db, accountId, ns.id, input.PolicyName);
  if (!row) throw policyNotFound(input.PolicyName);
  return row;
}

export async function getPolicy(deps: Deps, accountId: string, input: In<typeof ps.policyRefInput>) {
  return policyView(deps.config, await findOrThrow(deps, accountId, input));
}

export async function updatePolicy(deps: Deps, accountId: string, input: In<typeof ps.updatePolicyInput>) {
  await deps.db.transaction().execute(async (trx) => {
    const ns = await namespaceOf(trx, accountId, { name: input.NamespaceName }, "update");
    const row = await pq.updatePolicy(trx, accountId, ns.id, input.PolicyName, {
      description: input.Description,
      status: input.Status,
      updated_at: deps.clock.now(),
    });
    if (!row) throw policyNotFound(input.PolicyName);
    await bumpPolicyVersion(trx, accountId, ns.id);
  });
  return { Success: true, Message: `policy ${input.PolicyName} updated` };
}

export async function deletePolicy(deps: Deps, accountId: string, input: In<typeof ps.policyRefInput>) {
  await deps.db.transaction().execute(async (trx) => {
    const ns = await namespaceOf(trx, accountId, { name: input.NamespaceName }, "update");
    if (!(await pq.deletePolicy(trx, accountId, ns.id, input.PolicyName))) throw policyNotFound(input.PolicyName);
    await bumpPolicyVersion(trx, accountId, ns.id);
  });
  return { Success: true, Message: `policy ${input.PolicyName} deleted` };
}

export async function listPolicies(deps: Deps, accountId: string, input: In<typeof ps.listPoliciesInput>) {
  const ns = await namespaceOf(deps.db, accountId, { name: input.NamespaceName });
  const f = input.Filter ?? {};
  const id = idFilter(f, `${namespaceTrn(deps.config, accountId, ns.id)}/policy/`);
  const listing = pq.policyListing(deps.db, accountId, ns.id, { description: f.Description, name: f.Name, id }, sortOf(input));
  return offsetPage(listing, input, (r) => policyListItem(deps.config, r));
}
