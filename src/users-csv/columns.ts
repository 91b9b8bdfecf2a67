// The columns of a pool's user CSV: CreateUsers' item fields (read off its schema, so a field added
// there is a column here), then one `custom:<Name>` column per custom attribute of the pool. The
// prefix keeps a custom attribute apart from a standard field of the same spelling ("Password").
import { stringify } from "csv-stringify/sync";
import type { CustomAttributeDefinition } from "../user-pools/child-views.js";
import { newUserInput } from "../users/schemas.js";
import { csvError } from "./csv.js";

const CUSTOM_PREFIX = "custom:";
/** Custom values arrive as columns, not as one JSON cell. */
const NOT_A_COLUMN = new Set(["CustomAttributesToUpsert"]);

export const STANDARD_COLUMNS = Object.keys(newUserInput.shape).filter((k) => !NOT_A_COLUMN.has(k));

export function columnsOf(defs: CustomAttributeDefinition[]): string[] {
  return [...STANDARD_COLUMNS, ...defs.map((d) => `${CUSTOM_PREFIX}${d.Name}`)];
}

/** The header line alone, as a file to fill in. */
export const templateCsv = (columns: string[]) => stringify([columns]);

type Column = { field: string } | { custom: string };

/** Each header cell's meaning; standard names and custom names match case-insensitively, as parameters do. */
export function readHeader(header: string[], defs: CustomAttributeDefinition[]): Column[] {
  const standard = new Map(STANDARD_COLUMNS.map((c) => [c.toLowerCase(), c]));
  const custom = new Map(defs.map((d) => [d.Name.toLowerCase(), d.Name]));
  const seen = new Set<string>();
  return header.map((cell, i) => {
    const name = cell.trim();
    const lower = name.toLowerCase();
    const column: Column | undefined = lower.startsWith(CUSTOM_PREFIX)
      ? custom.has(lower.slice(CUSTOM_PREFIX.length))
        ? { custom: custom.get(lower.slice(CUSTOM_PREFIX.length))! }
        : undefined
      : standard.has(lower)
        ? { field: standard.get(lower)! }
        : undefined;
    const shown = JSON.stringify(name.slice(0, 64));
    if (!column) throw csvError(`line 1: column ${i + 1} ${shown} is not a column of this pool (GetUserCSVTemplate lists them)`);
    const key = "field" in column ? column.field : `${CUSTOM_PREFIX}${column.custom}`;
    if (seen.has(key)) throw csvError(`line 1: column ${i + 1} ${shown} appears twice`);
    seen.add(key);
    return column;
  });
}

/** A row as a CreateUsers item: an empty cell is an absent field. */
export function rowToItem(columns: Column[], row: string[]): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  const custom: { Name: string; Value: string }[] = [];
  columns.forEach((c, i) => {
    const value = row[i]!;
    if (value === "") return;
    if ("field" in c) item[c.field] = value;
    else custom.push({ Name: c.custom, Value: value });
  });
  if (custom.length) item.CustomAttributesToUpsert = custom;
  return item;
}
