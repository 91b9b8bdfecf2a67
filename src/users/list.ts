// ListUsers: PageNumber/PageSize (offset paging, fine for the first pages) or NextToken/MaxResults
// (keyset on the users' seq, served by the (account_id, user_pool_uid, seq) index, equally fast at
// any depth). Newest first in both. TotalCount of an unfiltered list is the pool's counter, which
// the insert/delete triggers keep exact, so no list ever counts a million rows.
import type { AppDeps } from "../deps.js";
import { cursorPage, offsetPage, type CursorPage, type Page } from "../core/page.js";
import { errors } from "../core/errors.js";
import { parentPool } from "../user-pools/parent.js";
import * as q from "./queries.js";
import type { UserState } from "./tables.js";
import { decodeCursor, encodeCursor, userView, type UserView } from "./view.js";

export interface ListUsersInput {
  PageNumber?: number | undefined;
  PageSize?: number | undefined;
  NextToken?: string | undefined;
  MaxResults?: number | undefined;
  Filter?: { Email?: string | undefined; PreferredUsername?: string | undefined; PhoneNumber?: string | undefined; UserState?: UserState | undefined } | undefined;
}

export type UserList = Page<UserView> | CursorPage<UserView>;

export const DEFAULT_PAGE_SIZE = 10;

export async function listUsers(deps: Pick<AppDeps, "db">, accountId: string, poolUid: string, input: ListUsersInput): Promise<UserList> {
  const pool = await parentPool(deps.db, accountId, poolUid, "read");
  const filter: q.UserFilter = {
    email: input.Filter?.Email,
    preferredUsername: input.Filter?.PreferredUsername,
    phoneNumber: input.Filter?.PhoneNumber,
    userState: input.Filter?.UserState,
  };
  // Unfiltered, TotalCount is the pool's counter; filtered, the helpers count the filtered query.
  const total = q.hasFilter(filter) ? undefined : () => Promise.resolve(pool.total_users);

  if (input.NextToken !== undefined || input.MaxResults !== undefined) {
    let beforeSeq: string | undefined;
    if (input.NextToken) {
      beforeSeq = decodeCursor(input.NextToken);
      if (beforeSeq === undefined) throw errors.invalidParameter("NextToken", "the NextToken is not one this service issued");
    }
    const listing = q.userListing(deps.db, accountId, poolUid, filter, beforeSeq);
    return cursorPage(listing, input.MaxResults ?? DEFAULT_PAGE_SIZE, userView, (last) => encodeCursor(last.seq), total);
  }
  const page = { PageNumber: input.PageNumber ?? 1, PageSize: input.PageSize ?? DEFAULT_PAGE_SIZE };
  return offsetPage(q.userListing(deps.db, accountId, poolUid, filter), page, userView, total);
}
