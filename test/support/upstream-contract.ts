// Reads upstream's contract (test/fixtures/upstream-id-2025-10-30.txt, extracted from Volcengine's Go
// SDK) and compares one field tree with a zod schema. The notation: `Name*:s` (required string),
// b boolean, i32/i64/f numbers, `[x]` arrays, `{A:s, B:[s]}` objects, `Type{..}` a recursion cut.
import { readFileSync } from "node:fs";
import type { z } from "zod";

export type UpType =
  | { kind: "s" | "b" | "n" | "any" }
  | { kind: "array"; element: UpType }
  | { kind: "object"; fields: UpField[] | undefined };
export interface UpField {
  name: string;
  required: boolean;
  type: UpType;
}
export interface UpOperation {
  name: string;
  input: UpField[];
  output: UpField[];
}

/** Parses `a:s, b*:[s], c:{x:i32}` (the text after `IN: ` or `OUT: `). */
export function parseFields(text: string): UpField[] {
  let i = 0;
  const peek = () => text[i];
  const expect = (c: string) => {
    if (text[i] !== c) throw new Error(`expected ${c} at ${i} in ${text.slice(Math.max(0, i - 20), i + 20)}`);
    i++;
  };
  const skipSpace = () => {
    while (text[i] === " ") i++;
  };
  function fields(end: string | undefined): UpField[] {
    const out: UpField[] = [];
    skipSpace();
    while (i < text.length && peek() !== end) {
      const start = i;
      while (/[A-Za-z0-9_]/.test(text[i] ?? "")) i++;
      const name = text.slice(start, i);
      const required = peek() === "*";
      if (required) i++;
      expect(":");
      out.push({ name, required, type: type() });
      skipSpace();
      if (peek() === ",") i++;
      skipSpace();
    }
    return out;
  }
  function type(): UpType {
    if (peek() === "[") {
      i++;
      const element = type();
      expect("]");
      return { kind: "array", element };
    }
    if (peek() === "{") {
      i++;
      const f = fields("}");
      expect("}");
      return { kind: "object", fields: f.length ? f : undefined };
    }
    const start = i;
    while (/[A-Za-z0-9]/.test(text[i] ?? "")) i++;
    const word = text.slice(start, i);
    if (text.startsWith("{..}", i)) {
      i += 4;
      return { kind: "any" };
    }
    if (word === "s") return { kind: "s" };
    if (word === "b") return { kind: "b" };
    if (word === "i32" || word === "i64" || word === "f") return { kind: "n" };
    throw new Error(`unknown type ${word} in ${text}`);
  }
  const result = fields(undefined);
  if (i < text.length) throw new Error(`trailing text in ${text}`);
  return result;
}

export function readUpstream(path = new URL("../fixtures/upstream-id-2025-10-30.txt", import.meta.url)): Map<string, UpOperation> {
  const ops = new Map<string, UpOperation>();
  let current: UpOperation | undefined;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const head = /^### (\w+) \[/.exec(line);
    if (head) ops.set(head[1]!, (current = { name: head[1]!, input: [], output: [] }));
    else if (current && line.startsWith("IN: ")) current.input = parseFields(line.slice(4));
    else if (current && line.startsWith("OUT: ")) current.output = parseFields(line.slice(5).trim());
  }
  return ops;
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  values?: unknown[];
  getter?: () => z.ZodType;
};
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The schema under optional/default/nullable/pipe wrappers, and whether it may be left out. */
function unwrap(schema: z.ZodType): { schema: z.ZodType; optional: boolean } {
  let s = schema;
  let optional = false;
  let nonoptional = false;
  for (;;) {
    const d = defOf(s);
    if (d.innerType && ["optional", "default", "prefault", "nullable", "readonly", "catch", "nonoptional"].includes(d.type)) {
      if (["optional", "default", "prefault", "catch"].includes(d.type)) optional = true;
      if (d.type === "nonoptional") nonoptional = true;
      s = d.innerType;
    } else if (d.type === "pipe" && d.in) s = d.in;
    // A recursive schema (z.lazy): its one level down.
    else if (d.type === "lazy" && d.getter) s = d.getter();
    else return { schema: s, optional: optional && !nonoptional };
  }
}

export interface Finding {
  /** dotted path below the action (array elements are transparent) */
  path: string;
  kind: "missing" | "type" | "extension" | "required";
  detail: string;
}

const KIND_OF_ZOD: Record<string, UpType["kind"]> = {
  record: "object",
  string: "s",
  enum: "s",
  literal: "s",
  boolean: "b",
  number: "n",
  int: "n",
  bigint: "n",
  array: "array",
  object: "object",
};

/** Compares upstream's fields with an object schema; every difference is a finding. */
export function compareFields(up: UpField[], schema: z.ZodType, direction: "in" | "out", prefix = ""): Finding[] {
  const findings: Finding[] = [];
  const shape = objectShape(schema);
  if (!shape) return [{ path: prefix || "(root)", kind: "type", detail: "upstream has an object here" }];
  const byName = new Map(up.map((f) => [f.name, f]));
  for (const f of up) {
    const path = prefix ? `${prefix}.${f.name}` : f.name;
    // Go's JSON decoder matches names case-insensitively: UserPoolUID is UserPoolUid.
    const ours = Object.keys(shape).find((k) => k.toLowerCase() === f.name.toLowerCase());
    if (ours === undefined) {
      findings.push({ path, kind: "missing", detail: `upstream ${direction === "in" ? "request" : "result"} field` });
      continue;
    }
    const { schema: inner, optional } = unwrap(shape[ours]!);
    if (direction === "in" && f.required && optional) findings.push({ path, kind: "required", detail: "required upstream, optional here" });
    findings.push(...compareType(f.type, inner, direction, path));
  }
  for (const name of Object.keys(shape)) {
    if (![...byName.keys()].some((n) => n.toLowerCase() === name.toLowerCase())) {
      findings.push({ path: prefix ? `${prefix}.${name}` : name, kind: "extension", detail: "idplane's own field" });
    }
  }
  return findings;
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const { schema: s } = unwrap(schema);
  const d = defOf(s);
  if (d.type === "object") return d.shape;
  if (d.type === "union")
    for (const o of d.options!) {
      const shape = objectShape(o);
      if (shape) return shape;
    }
  return undefined;
}

function compareType(up: UpType, schema: z.ZodType, direction: "in" | "out", path: string): Finding[] {
  if (up.kind === "any") return [];
  const d = defOf(schema);
  if (d.type === "union") {
    // A union matches when one of its options does (e.g. RedirectUri: a string or a list of them).
    const tries = d.options!.map((o) => compareType(up, unwrap(o).schema, direction, path));
    return tries.find((t) => t.every((f) => f.kind === "extension")) ?? tries[0]!;
  }
  const ours = KIND_OF_ZOD[d.type];
  if (ours !== up.kind) return [{ path, kind: "type", detail: `upstream ${describe(up)}, here ${d.type}` }];
  if (up.kind === "array") return compareType(up.element, unwrap(d.element!).schema, direction, path);
  if (up.kind === "object" && up.fields) return compareFields(up.fields, schema, direction, path);
  return [];
}

const describe = (t: UpType): string =>
  t.kind === "array"
    ? `[${describe(t.element)}]`
    : t.kind === "object"
      ? "object"
      : t.kind === "s"
        ? "string"
        : t.kind === "b"
          ? "boolean"
          : "number";

/** How many fields a tree has, nested ones included. */
export function countFields(fields: UpField[]): number {
  let n = 0;
  for (const f of fields) {
    n++;
    let t = f.type;
    while (t.kind === "array") t = t.element;
    if (t.kind === "object" && t.fields) n += countFields(t.fields);
  }
  return n;
}
