// What Minimum and Maximum mean for each DataType, and the effective bounds an attribute stores.
// String: the value's length in characters, 0..2048 (the longest value idplane keeps for a user
// attribute). Number: the value itself, any 32-bit integer (upstream's Minimum/Maximum are i32).
// Boolean and DateTime: no bounds; giving one is an error rather than a number that means nothing.
import { errors } from "../core/errors.js";
import type { DataType } from "./tables.js";

export const MAX_STRING_LENGTH = 2048;
const I32 = { min: -2_147_483_648, max: 2_147_483_647 };

const DEFAULT_BOUNDS: Record<DataType, { min: number; max: number } | null> = {
  String: { min: 0, max: MAX_STRING_LENGTH },
  Number: I32,
  Boolean: null,
  DateTime: null,
};

export interface Bounds {
  minimum: number;
  maximum: number;
}

/**
 * The bounds to store: the given ones over the current (or the type's defaults), checked against
 * the type's range and each other.
 */
export function boundsFor(
  dataType: DataType,
  given: { Minimum?: number | undefined; Maximum?: number | undefined },
  current?: Bounds,
): Bounds {
  const range = DEFAULT_BOUNDS[dataType];
  if (!range) {
    const field = given.Minimum !== undefined ? "Minimum" : given.Maximum !== undefined ? "Maximum" : undefined;
    if (field) throw errors.invalidParameter(field, `${dataType} attributes have no ${field}`);
    return { minimum: 0, maximum: 0 };
  }
  const minimum = given.Minimum ?? current?.minimum ?? range.min;
  const maximum = given.Maximum ?? current?.maximum ?? range.max;
  const what = dataType === "String" ? "a length" : "a value";
  for (const [field, v] of [
    ["Minimum", minimum],
    ["Maximum", maximum],
  ] as const) {
    if (v < range.min || v > range.max)
      throw errors.invalidParameter(field, `${field} of a ${dataType} attribute is ${what} from ${range.min} to ${range.max}`);
  }
  if (minimum > maximum) throw errors.invalidParameter("Minimum", `Minimum (${minimum}) must not be greater than Maximum (${maximum})`);
  return { minimum, maximum };
}
