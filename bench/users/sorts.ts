// ListUsers at depth for every SortField (and its default direction): the first page against a
// cursor page DEPTH users in, alternated so machine load hits both alike, with the plan of the deep
// query (which index serves it). Then each Filter key's first page and plan.
import { CompiledQuery, sql } from "kysely";
import type { AppDeps } from "../../src/deps.js";
import { encodeCursor } from "../../src/users/cursor.js";
import { SORT_FIELDS, TEXT_FIELDS, userListing, type Sort, type UserFilter } from "../../src/users/list-query.js";
import { median, timeRuns, type Call } from "./setup.js";

const noFilter: UserFilter = { equals: {}, empty: {}, searches: [] };
const fmt = (ms: number) => ms.toFixed(2);

/** The first line of the plan that names an index (or the first line). */
async function planOf(db: AppDeps["db"], query: { compile(): { sql: string; parameters: readonly unknown[] } }): Promise<string> {
  const c = query.compile();
  const rows = (await db.executeQuery(CompiledQuery.raw(`explain ${c.sql}`, [...c.parameters]))).rows as { "QUERY PLAN": string }[];
  const lines = rows.map((r) => r["QUERY PLAN"].trim());
  return (lines.find((l) => / using | on users/.test(l) && /Index|Bitmap/.test(l)) ?? lines[0]!).replace(/\s+\(cost.*$/, "");
}

export async function benchSorts(
  deps: Pick<AppDeps, "db">,
  accountId: string,
  poolUid: string,
  call: Call,
  depth: number,
  page: number,
  runs: number,
  say: (l: string) => void,
) {
  say(`| SortField | direction | first page median | deep page median | deep / first | plan of the deep page |`);
  say(`|---|---|---|---|---|---|`);
  const ratios: number[] = [];
  for (const field of SORT_FIELDS) {
    const sort: Sort = { field, direction: field === "CreateTime" || field === "UpdateTime" ? "Desc" : "Asc" };
    const listing = userListing(deps.db, accountId, poolUid, noFilter, sort);
    const at = (
      await listing
        .rows(listing.filtered)
        .offset(depth - 1)
        .limit(1)
        .execute()
    )[0]!;
    const token = encodeCursor(sort, at.seq, at.sort_key);
    const params = { UserPoolUid: poolUid, MaxResults: page, SortField: field, SortDirection: sort.direction };
    const firstPage = () => call("ListUsers", params);
    const deepPage = () => call("ListUsers", { ...params, NextToken: token });
    const check = await deepPage();
    if (check.Data.length !== page || !check.NextToken) throw new Error(`${field}: the deep cursor page is not a full page`);
    for (let i = 0; i < 5; i++) await Promise.all([firstPage(), deepPage()]);
    const first: number[] = [];
    const deep: number[] = [];
    for (let i = 0; i < runs; i++) {
      first.push(...(await timeRuns(firstPage, 1, 0)));
      deep.push(...(await timeRuns(deepPage, 1, 0)));
    }
    first.sort((a, b) => a - b);
    deep.sort((a, b) => a - b);
    const after = { seq: at.seq, key: at.sort_key ?? "" };
    const deepListing = userListing(deps.db, accountId, poolUid, noFilter, sort, after);
    const plan = await planOf(deps.db, deepListing.rows(deepListing.filtered).limit(page + 1));
    const ratio = median(deep) / median(first);
    ratios.push(ratio);
    say(`| ${field} | ${sort.direction} | ${fmt(median(first))} | ${fmt(median(deep))} | ${ratio.toFixed(2)} | ${plan} |`);
  }
  say(`worst deep / first = ${Math.max(...ratios).toFixed(2)} (target <= 1.5 for every sort)`);
}

/** One filtered first page per Filter key: its median and the index its query uses. */
export async function benchFilters(
  deps: Pick<AppDeps, "db">,
  accountId: string,
  poolUid: string,
  call: Call,
  runs: number,
  say: (l: string) => void,
) {
  const someUids = (
    await sql<{ uid: string }>`select uid from users where account_id = ${accountId} and user_pool_uid = ${poolUid} limit 20`.execute(
      deps.db,
    )
  ).rows.map((r) => r.uid);
  const cases: [string, Record<string, unknown>, UserFilter][] = [
    ...TEXT_FIELDS.filter((f) => f !== "MiddleName").map((f): [string, Record<string, unknown>, UserFilter] => {
      const v =
        f === "Email"
          ? "user777@example.com"
          : f === "PhoneNumber"
            ? "+8613800000777"
            : f === "PreferredUsername"
              ? "user777"
              : f === "Gender"
                ? "female"
                : f === "Locale"
                  ? "fr"
                  : "ab";
      return [`Filter.${f}`, { [f]: v }, { ...noFilter, equals: { [f]: v } }];
    }),
    ["Filter.NicknameIsNullOrEmpty", { NicknameIsNullOrEmpty: true }, { ...noFilter, empty: { Nickname: true } }],
    ["Filter.UserUidsOr (20)", { UserUidsOr: someUids }, { ...noFilter, uids: someUids }],
    ["Filter.UserState", { UserState: "DISABLED" }, { ...noFilter, userState: "DISABLED" }],
    [
      "UniversalSearch prefix 'user12' (default fields)",
      { UniversalSearch: [{ Search: "user12" }] },
      {
        ...noFilter,
        searches: [{ Search: "user12", Fields: ["PreferredUsername", "Email", "PhoneNumber", "Name", "Nickname"], ExactMatch: false }],
      },
    ],
  ];
  say(`| filter (first page of 50, CreateTime Desc) | median ms | plan |`);
  say(`|---|---|---|`);
  for (const [name, filter, parsed] of cases) {
    const sort: Sort = { field: "CreateTime", direction: "Desc" };
    const times = await timeRuns(() => call("ListUsers", { UserPoolUid: poolUid, MaxResults: 50, Filter: filter }), runs, 3);
    const listing = userListing(deps.db, accountId, poolUid, parsed, sort);
    say(`| ${name} | ${fmt(median(times))} | ${await planOf(deps.db, listing.rows(listing.filtered).limit(51))} |`);
  }
}
