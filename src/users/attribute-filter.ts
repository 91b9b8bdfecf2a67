// ListUsers' Filter.CustomAttributeFilter: conditions on users' custom attribute values, joined by
// And/Or, nested in Groups. Upstream names the shape (Conditions of Name/Operator/Value, Groups,
// Relation) but publishes no operator names; idplane's are listed in OPERATORS and in
// docs/upstream-deviations.md. Each condition compares as the attribute's DataType says: numbers as
// numbers, DateTime as instants, String case-insensitively (as the other ListUsers filters do).
import { sql, type RawBuilder, type SqlBool } from "kysely";
import { z } from "zod";
import { errors } from "../core/errors.js";
import type { CustomAttributeDefinition } from "./custom-attributes.js";
import { isDateTime, isNumber, storedDateTime, storedNumber } from "./attribute-values.js";

export const OPERATORS = [
  "Equal",
  "NotEqual",
  "Contains",
  "StartsWith",
  "GreaterThan",
  "GreaterThanOrEqual",
  "LessThan",
  "LessThanOrEqual",
  "IsNull",
  "IsNotNull",
] as const;
type Operator = (typeof OPERATORS)[number];
const RELATIONS = ["And", "Or"] as const;
/** Nesting and size bounds: a filter is a request's worth of SQL, not a program. */
export const MAX_DEPTH = 3;
export const MAX_CONDITIONS = 20;

const condition = z.object({
  Name: z.string().trim().min(1).max(128),
  Operator: z.enum(OPERATORS),
  Value: z.string().max(2048).describe("ignored by IsNull and IsNotNull").optional(),
});

interface Group {
  Conditions?: z.output<typeof condition>[] | undefined;
  Groups?: Group[] | undefined;
  Relation?: (typeof RELATIONS)[number] | undefined;
}

const group: z.ZodType<Group> = z.lazy(() =>
  z.object({
    Conditions: z.array(condition).max(MAX_CONDITIONS).optional(),
    Groups: z.array(group).max(MAX_CONDITIONS).optional(),
    Relation: z.enum(RELATIONS).describe("how its Conditions and Groups combine; And by default").optional(),
  }),
);

const depth = (g: Group): number => 1 + Math.max(0, ...(g.Groups ?? []).map(depth));
const count = (g: Group): number => (g.Conditions?.length ?? 0) + (g.Groups ?? []).reduce((n, x) => n + count(x), 0);

export const customAttributeFilter = group
  .refine((g) => depth(g) <= MAX_DEPTH, `Groups nest at most ${MAX_DEPTH} levels deep`)
  .refine((g) => count(g) <= MAX_CONDITIONS, `at most ${MAX_CONDITIONS} Conditions in all`)
  .describe(`conditions on custom attribute values; Operator is one of ${OPERATORS.join(", ")}`);

export type CustomAttributeFilter = Group;

const PARAM = "Filter.CustomAttributeFilter";
const ORDER: Partial<Record<Operator, string>> = {
  GreaterThan: ">",
  GreaterThanOrEqual: ">=",
  LessThan: "<",
  LessThanOrEqual: "<=",
  Equal: "=",
  NotEqual: "<>",
};

/**
 * The stored value as the attribute's type, null when absent or not of that type (a value stored
 * before the write checks were strict compares as absent: attribute-values.ts). `check` is what a
 * filter Value must pass, the same test as on write, so the Value's own cast never fails.
 */
function typed(def: CustomAttributeDefinition): {
  value: RawBuilder<unknown>;
  cast: (v: string) => RawBuilder<unknown>;
  check: ((v: string) => boolean) | undefined;
  type: string;
} {
  const raw = sql`(custom_attributes ->> ${def.Name}::text)`;
  switch (def.DataType.toLowerCase()) {
    case "number":
    case "integer":
      return { value: storedNumber(raw), cast: (v) => sql`${v}::numeric`, check: isNumber, type: "decimal number within a double's range" };
    case "datetime":
      return {
        value: storedDateTime(raw),
        cast: (v) => sql`${v}::timestamptz`,
        check: isDateTime,
        type: "RFC 3339 time of a real calendar day",
      };
    case "boolean":
      return { value: raw, cast: (v) => sql`${v}::text`, check: (v) => v === "true" || v === "false", type: '"true" or "false"' };
    default:
      return { value: sql`lower(${raw})`, cast: (v) => sql`lower(${v}::text)`, check: undefined, type: "text" };
  }
}

function conditionSql(defs: Map<string, CustomAttributeDefinition>, c: z.output<typeof condition>): RawBuilder<SqlBool> {
  const def = defs.get(c.Name.toLowerCase());
  if (!def) throw errors.invalidParameter(PARAM, `the user pool has no custom attribute ${JSON.stringify(c.Name)}`);
  const raw = sql`(custom_attributes ->> ${def.Name}::text)`;
  if (c.Operator === "IsNull") return sql<SqlBool>`${raw} is null`;
  if (c.Operator === "IsNotNull") return sql<SqlBool>`${raw} is not null`;
  const v = c.Value;
  if (v === undefined)
    throw errors.invalidParameter(PARAM, `the condition on ${JSON.stringify(def.Name)} with ${c.Operator} needs a Value`);
  const t = typed(def);
  if (t.check && !t.check(v))
    throw errors.invalidParameter(PARAM, `${JSON.stringify(def.Name)} is a ${def.DataType} attribute: its Value must be a ${t.type}`);
  const isText = t.type === "text";
  if (c.Operator === "Contains" || c.Operator === "StartsWith") {
    if (!isText)
      throw errors.invalidParameter(PARAM, `${c.Operator} applies to String attributes; ${JSON.stringify(def.Name)} is ${def.DataType}`);
    // strpos/starts_with instead of LIKE: no pattern characters for a caller to smuggle in.
    return c.Operator === "Contains"
      ? sql<SqlBool>`strpos(${t.value}, lower(${v}::text)) > 0`
      : sql<SqlBool>`starts_with(${t.value}, lower(${v}::text))`;
  }
  if (t.type === '"true" or "false"' && c.Operator !== "Equal" && c.Operator !== "NotEqual") {
    throw errors.invalidParameter(PARAM, `${c.Operator} does not apply to the Boolean attribute ${JSON.stringify(def.Name)}`);
  }
  // NotEqual also matches users without a value, as "is not v" reads.
  const compared = sql<SqlBool>`${t.value} ${sql.raw(ORDER[c.Operator]!)} ${t.cast(v)}`;
  return c.Operator === "NotEqual" ? sql<SqlBool>`(${t.value} is null or ${compared})` : compared;
}

/** The WHERE condition of a CustomAttributeFilter over the pool's definitions; an empty group matches every user. */
export function customAttributeFilterSql(defs: CustomAttributeDefinition[], f: CustomAttributeFilter): RawBuilder<SqlBool> {
  const byName = new Map(defs.map((d) => [d.Name.toLowerCase(), d]));
  const build = (g: Group): RawBuilder<SqlBool> => {
    const parts = [...(g.Conditions ?? []).map((c) => conditionSql(byName, c)), ...(g.Groups ?? []).map(build)];
    if (parts.length === 0) return sql<SqlBool>`true`;
    return sql<SqlBool>`(${sql.join(parts, sql.raw(g.Relation === "Or" ? " or " : " and "))})`;
  };
  return build(f);
}
