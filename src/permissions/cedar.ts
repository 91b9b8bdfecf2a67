// The one place that talks to Cedar (@cedar-policy/cedar-wasm, the engine of AWS Verified
// Permissions): reading a policy's text at write time (with the engine's position and message on
// error) and deciding a request against a slice of policies at check time. Policy sets are handed to
// the engine preparsed, in a bounded set of slots reused least-recently-used: parsing Cedar text
// costs far more than evaluating it, and the engine keeps what it parsed until the slot is reused.
import type * as Cedar from "@cedar-policy/cedar-wasm/nodejs";
import { errors } from "../core/errors.js";

export interface EntityUid {
  type: string;
  id: string;
}
export interface Entity {
  uid: EntityUid;
  attrs: Record<string, unknown>;
  parents: EntityUid[];
}
type Constraint =
  | { op: "All" }
  | { op: "==" | "in"; entity?: EntityUid; entities?: EntityUid[] }
  | { op: "is"; entity_type: string; in?: { entity: EntityUid } };
export interface PolicyScope {
  principal: Constraint;
  action: Constraint;
  resource: Constraint;
}
export interface ParsedPolicy {
  effect: "Allow" | "Deny";
  scope: PolicyScope;
  conditional: boolean;
}

/**
 * Runs an engine call. A WebAssembly trap (a stack overflow checkShape should have prevented) leaves
 * the instance unusable, so it is answered as ServiceUnavailable rather than an InternalError with a
 * stack, and later calls keep saying so: restart the process (docs/api/permissions.md).
 */
let broken = false;
let loading: Promise<typeof Cedar> | undefined;
let cedar: typeof Cedar;
/**
 * Loads the engine on first use: compiling its 4 MB of WebAssembly takes 0.25-0.35 s (measured on the
 * loaded 2-core machine), which a start of a service that checks nothing would otherwise pay.
 */
async function ready(): Promise<void> {
  loading ??= import("@cedar-policy/cedar-wasm/nodejs");
  cedar = await loading;
}

function engine<T>(call: () => T): T {
  if (broken) throw errors.unavailable("the policy engine stopped after a fault; the service needs a restart");
  try {
    return call();
  } catch (err) {
    if (err instanceof Error && err.name === "RuntimeError") {
      broken = true;
      throw errors.unavailable("the policy engine stopped after a fault; the service needs a restart");
    }
    throw err;
  }
}

/** "line L, column C" of a character offset in text. */
function position(text: string, offset: number): string {
  const before = text.slice(0, offset).split("\n");
  return `line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}

function describeErrors(text: string, errs: Cedar.DetailedError[]): string {
  return errs
    .map((e) => {
      const at = e.sourceLocations?.[0];
      const where = at ? `${position(text, at.start)}: ` : "";
      const label = at?.label ? ` (${at.label})` : "";
      return `${where}${e.message}${label}`;
    })
    .join("; ");
}

const invalid = (text: string, errs: Cedar.DetailedError[]) =>
  errors.invalidParameter("Policy", `the policy is not valid Cedar: ${describeErrors(text, errs)}`.slice(0, 2000));

/**
 * The engine parses and evaluates recursively in a fixed WebAssembly stack: 120 nested records or
 * 250 nested parentheses overflow it, and an overflow leaves the instance unusable for every later
 * call. So nesting and operator chains are bounded before any text reaches it (measured limits in
 * docs/api/permissions.md, with a wide margin): brackets at most 16 deep, at most 256 operators.
 */
export const MAX_NESTING = 16;
export const MAX_OPERATORS = 256;

/** Strings and comments hold no structure: the text without them. */
const codeOf = (text: string) => text.replace(/"(?:[^"\\]|\\.)*"|\/\/[^\n]*/g, '""');

/** The deepest bracket nesting, and whether the brackets close in order without going below zero. */
function nesting(code: string): { deepest: number; balanced: boolean } {
  let depth = 0;
  let deepest = 0;
  let balanced = true;
  for (const c of code) {
    if (c === "(" || c === "[" || c === "{") deepest = Math.max(deepest, ++depth);
    else if (c === ")" || c === "]" || c === "}") if (--depth < 0) balanced = false;
  }
  return { deepest, balanced: balanced && depth === 0 };
}

/** A Definition's Condition must be one expression: its brackets may not close the `when { }` around it. */
export function checkExpression(text: string, field: string): void {
  if (!nesting(codeOf(text)).balanced) throw errors.invalidParameter(field, "must be one Cedar expression (its brackets do not balance)");
}

export function checkShape(text: string, field = "Policy"): void {
  const code = codeOf(text);
  const { deepest } = nesting(code);
  const operators = code.match(/&&|\|\||==|!=|<=|>=|[-+*<>!.]|\b(?:if|in|has|like|is)\b/g)?.length ?? 0;
  if (deepest > MAX_NESTING) throw errors.invalidParameter(field, `brackets may nest at most ${MAX_NESTING} deep, this nests ${deepest}`);
  if (operators > MAX_OPERATORS)
    throw errors.invalidParameter(field, `a policy may have at most ${MAX_OPERATORS} operators, this has ${operators}`);
}

/** Reads one Cedar policy (not a template, not two); InvalidParameter.Policy with the engine's position and message otherwise. */
export async function parsePolicy(text: string): Promise<ParsedPolicy> {
  checkShape(text);
  await ready();
  const parts = engine(() => cedar.policySetTextToParts(text));
  if (parts.type === "failure") throw invalid(text, parts.errors);
  if (parts.policy_templates.length > 0)
    throw errors.invalidParameter(
      "Policy",
      "the policy is a template (it has a ?principal or ?resource slot); templates are not supported",
    );
  if (parts.policies.length !== 1)
    throw errors.invalidParameter("Policy", `the text must hold exactly one Cedar policy, it holds ${parts.policies.length}`);
  const json = engine(() => cedar.policyToJson(text));
  if (json.type === "failure") throw invalid(text, json.errors);
  const p = json.json as unknown as {
    effect: "permit" | "forbid";
    principal: Constraint;
    action: Constraint;
    resource: Constraint;
    conditions: unknown[];
  };
  return {
    effect: p.effect === "permit" ? "Allow" : "Deny",
    scope: { principal: p.principal, action: p.action, resource: p.resource },
    conditional: p.conditions.length > 0,
  };
}

/** Checks a resource's Properties as a Cedar entity's attributes; the engine's message otherwise. */
export async function checkAttributes(field: string, attrs: Record<string, unknown>): Promise<void> {
  checkShape(JSON.stringify(attrs), field);
  await ready();
  const r = engine(() => cedar.checkParseEntities({ entities: [{ uid: { type: "R", id: "r" }, attrs, parents: [] }] as never }));
  if (r.type === "failure")
    throw errors.invalidParameter(field, `not usable as Cedar attributes: ${r.errors.map((e) => e.message).join("; ")}`.slice(0, 1000));
}

const SLOTS = 256;
/** Slot name by policy-set key, least recently used first (a Map keeps insertion order). */
const slots = new Map<string, string>();
let nextSlot = 0;

function slotFor(key: string, policies: { id: string; text: string }[]): string {
  const had = slots.get(key);
  if (had !== undefined) {
    slots.delete(key);
    slots.set(key, had);
    return had;
  }
  let slot: string;
  if (slots.size >= SLOTS) {
    const [oldest, name] = slots.entries().next().value as [string, string];
    slots.delete(oldest);
    slot = name;
  } else slot = `slot${nextSlot++}`;
  const staticPolicies = Object.fromEntries(policies.map((p) => [p.id, p.text]));
  const r = engine(() => cedar.preparsePolicySet(slot, { staticPolicies }));
  // Texts were parsed when written, so this fails only if the engine changed under stored policies.
  if (r.type === "failure") throw new Error(`stored policies no longer parse: ${r.errors.map((e) => e.message).join("; ")}`);
  slots.set(key, slot);
  return slot;
}

export interface Decision {
  allowed: boolean;
  /** The policies that decided (the forbids when denied, the permits when allowed). */
  reasons: string[];
  /** Policies the engine skipped because their condition failed to evaluate. */
  errors: { policyId: string; message: string }[];
}

export interface Request {
  principal: EntityUid;
  action: EntityUid;
  resource: EntityUid;
  context: Record<string, unknown>;
  entities: Entity[];
}

/**
 * Decisions already made, by policy set and request. A decision is a function of the policies' texts
 * (named exactly by `key`: namespace, version, policy ids) and of the whole request, entities and
 * context included, so an entry is never stale: a policy write changes the key, a tree change the
 * entities. Bounded, least recently used out first.
 */
const MEMO = 10_000;
const decisions = new Map<string, Decision>();

/** Decides a request against the policies (the slice a check selected); `key` names that set exactly. */
export async function authorize(key: string, policies: { id: string; text: string }[], req: Request): Promise<Decision> {
  if (policies.length === 0) return { allowed: false, reasons: [], errors: [] };
  const memoKey = `${key}\n${JSON.stringify(req)}`;
  const known = decisions.get(memoKey);
  if (known) {
    decisions.delete(memoKey);
    decisions.set(memoKey, known);
    return known;
  }
  await ready();
  const decision = decide(key, policies, req);
  if (decisions.size >= MEMO) decisions.delete(decisions.keys().next().value as string);
  decisions.set(memoKey, decision);
  return decision;
}

function decide(key: string, policies: { id: string; text: string }[], req: Request): Decision {
  const preparsedPolicySetId = slotFor(key, policies);
  const r = engine(() =>
    cedar.statefulIsAuthorized({ ...req, context: req.context as never, entities: req.entities as never, preparsedPolicySetId }),
  );
  if (r.type === "failure")
    throw errors.invalidParameter(
      "References",
      `the request's entities are not usable: ${r.errors.map((e) => e.message).join("; ")}`.slice(0, 1000),
    );
  const d = r.response.diagnostics;
  return {
    allowed: r.response.decision === "allow",
    reasons: d.reason,
    errors: d.errors.map((e) => ({ policyId: e.policyId, message: e.error.message })),
  };
}
