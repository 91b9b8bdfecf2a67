// What a Number or DateTime custom attribute value may be, one definition for the write checks
// (custom-attributes.ts: UpdateUser, CreateUser(s), CSV rows) and for the filter values
// (attribute-filter.ts), and the SQL that reads a stored value back as a number or an instant.
// Postgres refuses what these accept nowhere: a value that passed on write always compares. Before
// issue 22 item 5, `2024-02-30T00:00:00Z`, year 0000 or a `+99:99` offset were stored (JavaScript's
// Date accepts them) and `1e1000000` reached a numeric cast: each comparison then failed with 500.
import { sql, type RawBuilder } from "kysely";

/** A decimal with an optional exponent of at most three digits: numeric takes any such text. */
export const NUMBER = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d{1,3})?\s*$/;
/** RFC 3339 with a time zone; the calendar is checked by isDateTime. */
export const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;

/** A number within a double's finite range, written as NUMBER says. */
export function isNumber(v: string): boolean {
  return NUMBER.test(v) && Number.isFinite(Number(v));
}

const daysIn = (year: number, month: number) =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/** An RFC 3339 time of a real calendar day, years 0001-9999, an offset within ±14:59 (real ones end at +14:00). */
export function isDateTime(v: string): boolean {
  const m = DATETIME.exec(v);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  return m[8] === "Z" || (Number(m[9]) <= 14 && Number(m[10]) <= 59);
}

/**
 * A stored value as numeric, null when it is not one. The pattern alone makes the cast safe (three
 * exponent digits are far inside numeric's range), so a value stored before these checks, or
 * written past the API, compares as absent instead of failing the statement.
 */
export const storedNumber = (raw: RawBuilder<unknown>) => sql`(case when ${raw} ~ ${NUMBER.source} then ${raw}::numeric end)`;

/**
 * A stored value as timestamptz, null when it is not one. The pattern cannot see a 30th of February,
 * so values that match go through idplane_timestamptz_or_null (sql/017), which answers null where
 * the cast would fail.
 */
export const storedDateTime = (raw: RawBuilder<unknown>) =>
  sql`(case when ${raw} ~ ${DATETIME.source} then idplane_timestamptz_or_null(${raw}) end)`;
