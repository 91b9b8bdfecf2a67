// Users' custom attribute values (CustomAttributesToUpsert in, CustomAttributes out), typed and
// bounded by the pool's custom attribute definitions (DataType, Mutability, Minimum, Maximum).
// The definitions belong to the custom-attributes family (UserPoolCustomAttribute actions); this
// module reads them only through `poolCustomAttributes`.
import { z } from "zod";
import { type ApiError, errors } from "../core/errors.js";
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../platform/db/schema.js";
import { customAttributesOf } from "../custom-attributes/service.js";
import { isDateTime, isNumber } from "./attribute-values.js";

/** What a user's value is checked against: one attribute definition of the pool. */
export interface CustomAttributeDefinition {
  Name: string;
  /** String (Minimum/Maximum bound the length), Number or Integer (bound the value), Boolean, DateTime. */
  DataType: string;
  /** Immutable: set once (on create or the first write), never changed or cleared; anything else is mutable. */
  Mutability: string;
  Minimum?: number | undefined;
  Maximum?: number | undefined;
}

const PARAM = "CustomAttributesToUpsert";

/**
 * The most a user's custom attribute values may hold together (names and values, UTF-8): 16 KiB.
 * Each value alone may be 2,048 characters and a pool may have 50 attributes, which would let one
 * user hold 300 KB and one ListUsers page of 100 users 30 MB; with this bound a page of users stays
 * under about 2 MB (issue 22, item 4).
 */
export const MAX_CUSTOM_ATTRIBUTE_BYTES = 16 * 1024;

const bytesOf = (values: Record<string, string>) =>
  Object.entries(values).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);

export const customAttributesToUpsert = z
  .array(z.object({ Name: z.string().trim().min(1).max(128), Value: z.string().max(2048).describe('"" removes the value') }))
  .max(100)
  .refine((a) => new Set(a.map((x) => x.Name.toLowerCase())).size === a.length, "each Name may appear once")
  .describe("values for the pool's custom attributes, checked against their DataType, Mutability, Minimum and Maximum");

export type CustomAttributeUpsert = z.output<typeof customAttributesToUpsert>[number];

type Db = Kysely<Database> | Transaction<Database>;

/** The pool's custom attribute definitions, from the custom-attributes family (its one reader). */
export function poolCustomAttributes(db: Db, accountId: string, poolUid: string): Promise<CustomAttributeDefinition[]> {
  return customAttributesOf(db, accountId, poolUid);
}

const isImmutable = (d: CustomAttributeDefinition) => d.Mutability.replace(/[_\s-]/g, "").toLowerCase() === "immutable";

/** Why `value` does not fit `def`, or undefined. */
function valueProblem(def: CustomAttributeDefinition, value: string): string | undefined {
  const { Minimum: min, Maximum: max } = def;
  switch (def.DataType.toLowerCase()) {
    case "string":
      if (min !== undefined && value.length < min) return `is shorter than its Minimum of ${min} characters`;
      if (max !== undefined && value.length > max) return `is longer than its Maximum of ${max} characters`;
      return undefined;
    case "number":
    case "integer": {
      const n = Number(value);
      if (!isNumber(value)) return "must be a number: decimal digits, an optional fraction and exponent, within a double's range";
      if (def.DataType.toLowerCase() === "integer" && !Number.isInteger(n)) return "must be an integer";
      if (min !== undefined && n < min) return `is below its Minimum of ${min}`;
      if (max !== undefined && n > max) return `is above its Maximum of ${max}`;
      return undefined;
    }
    case "boolean":
      return value === "true" || value === "false" ? undefined : 'must be "true" or "false"';
    case "datetime":
      return isDateTime(value) ? undefined : "must be an RFC 3339 time of a real calendar day (years 0001-9999, an offset within ±14:59)";
    default:
      return `has the DataType ${JSON.stringify(def.DataType)}, which idplane cannot check`;
  }
}

/**
 * The values after applying `upserts` to `current` (by name, case-insensitively as defined), or the
 * error of the first upsert that breaks a definition. "" removes a mutable value.
 */
export function applyCustomAttributes(
  defs: CustomAttributeDefinition[],
  current: Record<string, string>,
  upserts: CustomAttributeUpsert[],
): Record<string, string> | ApiError {
  const byName = new Map(defs.map((d) => [d.Name.toLowerCase(), d]));
  const next = { ...current };
  for (const { Name, Value } of upserts) {
    const def = byName.get(Name.toLowerCase());
    if (!def) return errors.invalidParameter(PARAM, `the user pool has no custom attribute ${JSON.stringify(Name)}`);
    const stored = next[def.Name];
    if (isImmutable(def) && stored !== undefined && stored !== Value) {
      return errors.invalidParameter(PARAM, `the custom attribute ${JSON.stringify(def.Name)} is Immutable and already set`);
    }
    if (Value === "") {
      delete next[def.Name];
      continue;
    }
    const problem = valueProblem(def, Value);
    if (problem) return errors.invalidParameter(PARAM, `the value of the custom attribute ${JSON.stringify(def.Name)} ${problem}`);
    next[def.Name] = Value;
  }
  // Only growth is refused: a user already above the bound (stored before it) may still shrink.
  const total = bytesOf(next);
  if (total > MAX_CUSTOM_ATTRIBUTE_BYTES && total > bytesOf(current)) {
    return errors.invalidParameter(
      PARAM,
      `a user's custom attribute values may hold ${MAX_CUSTOM_ATTRIBUTE_BYTES} bytes together (UTF-8, names included); these would hold ${total}`,
    );
  }
  return next;
}

/** The result field: [{Name, Value}] by name. */
export const customAttributesView = (values: Record<string, string>) =>
  Object.keys(values)
    .sort()
    .map((Name) => ({ Name, Value: values[Name]! }));
