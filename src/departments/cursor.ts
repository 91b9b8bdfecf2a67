// ListDepartments' NextToken: a keyset cursor, as ListUsers' (src/users/cursor.ts). It names the sort
// it belongs to, the last row's sort key and its uid; the next page is the rows after that pair in
// the sort's order, so a page costs the same at any depth and a department created or deleted
// between two pages neither repeats nor skips another. The caller holds the token and may send any
// text back: reading it is input validation, refused (undefined) before any SQL runs.
import type { DEPARTMENT_SORT_FIELDS } from "./schemas.js";

export type SortField = (typeof DEPARTMENT_SORT_FIELDS)[number];
export interface DepartmentSort {
  field: SortField;
  direction: "Asc" | "Desc";
}
/** Where the page continues: the last row's sort key (as the query selects it) and uid. */
export interface DepartmentAfter {
  key: string;
  uid: string;
}

const b64 = (s: string) => Buffer.from(s).toString("base64url");
const unb64 = (s: string) => Buffer.from(s, "base64url").toString("utf8");

export function encodeDepartmentCursor(sort: DepartmentSort, after: DepartmentAfter): string {
  return b64(`d1:${sort.field}:${sort.direction}:${b64(after.key)}:${b64(after.uid)}`);
}

/** Sort keys as the query selects them: an i32, microseconds since the epoch, or a lowercased name. */
const KEY_SHAPES: Record<SortField, RegExp> = {
  Precedence: /^-?[0-9]{1,10}$/,
  CreateTime: /^-?[0-9]{1,18}$/,
  UpdateTime: /^-?[0-9]{1,18}$/,
  Name: /^[^\u0000]{0,255}$/u,
};

export function decodeDepartmentCursor(token: string, sort: DepartmentSort): DepartmentAfter | undefined {
  const m = /^d1:([A-Za-z]+):(Asc|Desc):([A-Za-z0-9_-]*):([A-Za-z0-9_-]+)$/.exec(unb64(token));
  if (!m || m[1] !== sort.field || m[2] !== sort.direction) return undefined;
  const key = unb64(m[3]!);
  const uid = unb64(m[4]!);
  if (!KEY_SHAPES[sort.field].test(key) || !/^[\x21-\x7e]{1,128}$/.test(uid)) return undefined;
  if (sort.field === "Precedence" && Math.abs(Number(key)) > 2_147_483_648) return undefined;
  return { key, uid };
}
