// Parameter decoding (docs/spec/api.md §1): JSON bodies, query strings and form bodies become one raw object,
// which is then conformed to the action's zod schema (case-insensitive names, "true"/"1" strings
// coerced, flat arrays and `Obj.Field` names rebuilt) and validated. Zod issues become
// MissingParameter.<Param> / InvalidParameter.<Param> here and nowhere else.
import type { z } from "zod";
import { ApiError, errors } from "../../core/errors.js";

type Raw = Record<string, unknown>;

/** Builds a nested object from flat `name=value` pairs: `A.B`, `A.1`, and repeated names. */
export function paramsFromFlat(pairs: Iterable<[string, string]>): Raw {
  const root: Raw = Object.create(null);
  for (const [name, value] of pairs) {
    const path = name.split(".");
    let node = root;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i]!;
      const next = node[key];
      if (next === undefined || typeof next !== "object" || Array.isArray(next)) node[key] = Object.create(null);
      node = node[key] as Raw;
    }
    const leaf = path[path.length - 1]!;
    const existing = node[leaf];
    if (existing === undefined) node[leaf] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else if (typeof existing === "string") node[leaf] = [existing, value];
  }
  return root;
}

export function paramsFromJson(body: Uint8Array): Raw {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    throw errors.invalidRequest("the request body is not valid JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw errors.invalidRequest("the request body must be a JSON object");
  }
  return parsed as Raw;
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  format?: string;
};
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Strips wrappers (optional, default, nullable, pipe...) down to the schema that says the shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const d = defOf(s);
    if (d.innerType && ["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"].includes(d.type))
      s = d.innerType;
    else if (d.type === "pipe" && d.in) s = d.in;
    else return s;
  }
}

const lowerNames = new WeakMap<object, Map<string, string>>();
/** The shape's names by their lower-case form, computed once per schema. */
function namesOf(shape: Record<string, z.ZodType>): Map<string, string> {
  let names = lowerNames.get(shape);
  if (!names) lowerNames.set(shape, (names = new Map(Object.keys(shape).map((k) => [k.toLowerCase(), k]))));
  return names;
}

/**
 * Reshapes a raw value to what the schema expects, without validating it. A name the schema does not
 * declare, at any depth, is refused (InvalidParameter.<Path>): a control plane that answers 200 to a
 * typo or an unsupported field has silently done nothing.
 */
export function conform(schema: z.ZodType, value: unknown, path = ""): unknown {
  const s = unwrap(schema);
  const d = defOf(s);
  switch (d.type) {
    case "object": {
      if (typeof value === "string" && value.trimStart().startsWith("{")) value = tryJson(value);
      if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
      const shape = d.shape!;
      const byLower = namesOf(shape);
      const out: Raw = {};
      // Later keys win, as with Go's case-insensitive JSON decoder.
      for (const [k, v] of Object.entries(value as Raw)) {
        const canonical = byLower.get(k.toLowerCase());
        if (canonical === undefined) throw unknownParameter(path ? `${path}.${k}` : k);
        out[canonical] = conform(shape[canonical]!, v, path ? `${path}.${canonical}` : canonical);
      }
      return out;
    }
    case "array": {
      if (typeof value === "string" && value.trimStart().startsWith("[")) value = tryJson(value);
      let items: unknown[];
      if (Array.isArray(value)) items = value;
      else if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Raw);
        if (!entries.every(([k]) => /^[1-9]\d{0,4}$/.test(k))) return value;
        items = entries.sort((a, b) => Number(a[0]) - Number(b[0])).map(([, v]) => v);
      } else if (typeof value === "string") items = [value];
      else return value;
      return items.map((item) => conform(d.element!, item, path));
    }
    case "boolean":
      return value === "true" ? true : value === "false" ? false : value;
    case "number":
    case "int":
      return typeof value === "string" && /^-?\d{1,15}(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
    case "union": {
      if (Array.isArray(value) || (value !== null && typeof value === "object")) {
        const option = d.options!.find((o) => ["array", "object"].includes(defOf(unwrap(o)).type));
        return option ? conform(option, value, path) : value;
      }
      return value;
    }
    default:
      return value;
  }
}

function unknownParameter(path: string): ApiError {
  // The name as sent, cut short and without control characters: it is echoed in the message.
  const name = path.replace(/[\u0000-\u001f\u007f]/g, "?").slice(0, 128);
  return errors.invalidParameter(name, `${name} is not a parameter of this action`);
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Validates raw parameters against a schema: the parsed value, or the first problem as an ApiError. */
export function validateParams<S extends z.ZodType>(
  schema: S,
  raw: unknown,
): { ok: true; data: z.output<S> } | { ok: false; error: ApiError } {
  let conformed: unknown;
  try {
    conformed = conform(schema, raw);
  } catch (err) {
    if (err instanceof ApiError) return { ok: false, error: err };
    throw err;
  }
  const result = schema.safeParse(conformed, { reportInput: true });
  if (!result.success) return { ok: false, error: issueToError(result.error.issues[0]!) };
  const nul = nulPath(schema, conformed);
  if (nul !== undefined) {
    const param = nul || "Body";
    return { ok: false, error: errors.invalidParameter(param, `the parameter ${param} must not contain the NUL character (U+0000)`) };
  }
  return { ok: true, data: result.data };
}

/** Validates an action's parameters; throws the first problem. */
export function parseParams<S extends z.ZodType>(schema: S, raw: Raw): z.output<S> {
  const r = validateParams(schema, raw);
  if (!r.ok) throw r.error;
  return r.data;
}

/**
 * Where a string the schema declares holds U+0000 (object keys joined by "."), or undefined.
 * Postgres text cannot store NUL: such a value reached the query and came back as a 500 (found by
 * test/reliability/fuzz). Values the schema leaves unknown (a batch's items, validated one by one
 * later) are not walked here.
 */
function nulPath(schema: z.ZodType, value: unknown, path = ""): string | undefined {
  const d = defOf(unwrap(schema));
  if (typeof value === "string")
    return (d.type === "string" || d.type === "union" || d.type === "enum") && value.includes("\u0000") ? path : undefined;
  if (d.type === "object" && value !== null && typeof value === "object") {
    for (const [k, child] of Object.entries(d.shape!)) {
      const found = nulPath(child, (value as Raw)[k], path ? `${path}.${k}` : k);
      if (found !== undefined) return found;
    }
  } else if (Array.isArray(value)) {
    const element =
      d.type === "array" ? d.element! : d.type === "union" ? d.options!.find((o) => defOf(unwrap(o)).type === "array") : undefined;
    const elementSchema = element && (d.type === "array" ? element : defOf(unwrap(element)).element);
    if (elementSchema)
      for (const item of value) {
        const found = nulPath(elementSchema, item, path);
        if (found !== undefined) return found;
      }
  }
  return undefined;
}

export function issueToError(issue: z.core.$ZodIssue): ApiError {
  const param = issue.path.filter((p): p is string => typeof p === "string").join(".") || "Body";
  const input = (issue as { input?: unknown }).input;
  const missing =
    ((issue.code === "invalid_type" || issue.code === "invalid_value") && input === undefined) ||
    (issue.code === "too_small" && typeof input === "string" && input.trim() === "") ||
    (issue.code === "too_small" && Array.isArray(input) && input.length === 0);
  return missing ? errors.missingParameter(param) : errors.invalidParameter(param, `the parameter ${param} is invalid: ${issue.message}`);
}
