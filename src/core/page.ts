// Paging: the Page<T> every List* action answers, and the helpers that build it from a Kysely query.
// A family's queries build the filtered query (no selection yet) and say how its rows are selected
// and ordered; these functions add the count, the offset or the cursor. Plain functions, so a list
// whose shape differs (users' keyset cursor, a counter column for TotalCount) still uses them.
import { sql, type SelectQueryBuilder } from "kysely";

export interface Page<T> {
  Data: T[];
  PageNumber: number;
  PageSize: number;
  TotalCount: number;
}

export interface CursorPage<T> {
  Data: T[];
  TotalCount: number;
  /** "" on the last page. */
  NextToken: string;
  MaxResults: number;
}

/** A filtered query before selection, and how its rows are selected and ordered. */
export interface Listing<DB, TB extends keyof DB, R> {
  filtered: SelectQueryBuilder<DB, TB, object>;
  rows(filtered: SelectQueryBuilder<DB, TB, object>): SelectQueryBuilder<DB, TB, R>;
}

/** COUNT(*) of a filtered query. */
export async function countRows<DB, TB extends keyof DB>(filtered: SelectQueryBuilder<DB, TB, object>): Promise<number> {
  const r = await filtered.select(sql<string>`count(*)`.as("n")).executeTakeFirstOrThrow();
  return Number((r as { n: string }).n);
}

/**
 * One page by PageNumber/PageSize: the rows, then the count. One after the other, not side by side:
 * a request holds one connection at a time, so five slow lists of one tenant hold five connections,
 * not all ten of the pool (issue 22). `total` replaces the count when the caller knows it already (a
 * counter the triggers keep exact).
 */
export async function offsetPage<DB, TB extends keyof DB, R, T>(
  listing: Listing<DB, TB, R>,
  page: { PageNumber: number; PageSize: number },
  view: (row: R) => T,
  total: () => Promise<number> = () => countRows(listing.filtered),
): Promise<Page<T>> {
  const rows = await listing
    .rows(listing.filtered)
    .offset((page.PageNumber - 1) * page.PageSize)
    .limit(page.PageSize)
    .execute();
  const count = await total();
  return { Data: (rows as R[]).map(view), PageNumber: page.PageNumber, PageSize: page.PageSize, TotalCount: count };
}

/**
 * offsetPage in one statement: the count rides on the page's rows as an uncorrelated scalar subquery
 * (Postgres runs it once, as an InitPlan), so a page that has rows costs one round trip, not two,
 * and the request still sends one statement at a time. A page past the end has no row to carry the
 * count, so only then is it asked for on its own. For lists whose filtered set is small (an
 * account's pools); a list that can hold millions of rows keeps its count separate or a counter.
 */
export async function offsetPageCounted<DB, TB extends keyof DB, R, T>(
  listing: Listing<DB, TB, R>,
  page: { PageNumber: number; PageSize: number },
  view: (row: R) => T,
): Promise<Page<T>> {
  const count = listing.filtered.select(sql<string>`count(*)`.as("n"));
  const rows = (await listing
    .rows(listing.filtered)
    .select(sql<string>`(${count})`.as("total_count__"))
    .offset((page.PageNumber - 1) * page.PageSize)
    .limit(page.PageSize)
    .execute()) as (R & { total_count__: string })[];
  const total = rows.length > 0 ? Number(rows[0]!.total_count__) : await countRows(listing.filtered);
  return { Data: rows.map(view), PageNumber: page.PageNumber, PageSize: page.PageSize, TotalCount: total };
}

/**
 * One page of a keyset cursor: `listing.rows` must already continue after the cursor and be ordered
 * by the key `cursorOf` encodes. One row more than asked tells whether another page exists, so the
 * last page says so at once.
 */
export async function cursorPage<DB, TB extends keyof DB, R, T>(
  listing: Listing<DB, TB, R>,
  maxResults: number,
  view: (row: R) => T,
  cursorOf: (last: R) => string,
  total: () => Promise<number> = () => countRows(listing.filtered),
): Promise<CursorPage<T>> {
  // Rows, then count, as offsetPage does: one connection at a time.
  const rows = (await listing
    .rows(listing.filtered)
    .limit(maxResults + 1)
    .execute()) as R[];
  const count = await total();
  const page = rows.slice(0, maxResults);
  const more = rows.length > maxResults;
  return { Data: page.map(view), TotalCount: count, NextToken: more ? cursorOf(page[page.length - 1]!) : "", MaxResults: maxResults };
}
