// Partial updates: the column changes a partial input asks for, by one rule per input field. A field
// left undefined changes nothing. The rules map is complete over the input's fields (a schema field
// without a rule is a type error); `null` marks a field the service handles itself (a secret to seal,
// a password to hash, identifiers that depend on each other).
//
// One behaviour for an update that changes nothing, in every family: it writes nothing and keeps
// UpdateTime (see isEmpty); NotFound and the rules on the current row still apply.

type Column<Row> = keyof Row & string;

/** Converts the given value, seeing the current row (e.g. "" -> null, a JSON object merged). */
export interface ConvertRule<V, Row> {
  column: Column<Row>;
  to(value: V, current: Partial<Row>): unknown;
}

export type FieldRule<V, Row> = Column<Row> | ConvertRule<V, Row> | null;

export type PatchRules<I, Row> = { [K in keyof I]-?: FieldRule<Exclude<I[K], undefined>, Row> };

export function patchOf<I extends object, Row>(input: I, current: Partial<Row>, rules: PatchRules<I, Row>): Partial<Row> {
  const changes: Record<string, unknown> = {};
  for (const key of Object.keys(rules) as (keyof I & string)[]) {
    const value = input[key];
    const rule = rules[key] as FieldRule<unknown, Row>;
    if (value === undefined || rule === null) continue;
    if (typeof rule === "string") changes[rule] = value;
    else changes[rule.column] = rule.to(value, current);
  }
  return changes as Partial<Row>;
}

/** A JSON object column merged field by field: defaults, then what is stored, then the input. */
export function merged<Row, C extends Column<Row>>(column: C, defaults: object): ConvertRule<object, Row> {
  return { column, to: (value, current) => ({ ...defaults, ...(current[column] as object), ...value }) };
}

/** "" clears a nullable column. */
export function emptyIsNull<Row>(column: Column<Row>): ConvertRule<string, Row> {
  return { column, to: (value) => value || null };
}

export const isEmpty = (changes: object): boolean => Object.keys(changes).length === 0;
