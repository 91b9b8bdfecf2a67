// ListUsers: PageNumber/PageSize (offset paging, fine for the first pages) or NextToken/MaxResults
// (keyset on the users' seq, served by the (account_id, user_pool_uid, seq) index, equally fast at
// any depth). Newest first in both. TotalCount of an unfiltered list is the pool's counter, which
// the insert/delete triggers keep exact, so no list ever counts a million rows.
import type { AppDeps } from "../deps.js";
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

export interface UserList {
  Data: UserView[];
  TotalCount: number;
  PageNumber?: number;
  PageSize?: number;
  NextToken?: string;
  MaxResults?: number;
}

export const DEFAULT_PAGE_SIZE = 10;

export async function listUsers(deps: Pick<AppDeps, "db">, accountId: string, poolUid: string, input: ListUsersInput): Promise<UserList> {
  const pool = await parentPool(deps.db, accountId, poolUid, "read");
  const filter: q.UserFilter = {
    email: input.Filter?.Email,
    preferredUsername: input.Filter?.PreferredUsername,
    phoneNumber: input.Filter?.PhoneNumber,
    userState: input.Filter?.UserState,
  };
  const count = () => (q.hasFilter(filter) ? q.countUsers(deps.db, accountId, poolUid, filter) : Promise.resolve(pool.total_users));

  if (input.NextToken !== undefined || input.MaxResults !== undefined) {
    const max = input.MaxResults ?? DEFAULT_PAGE_SIZE;
    let beforeSeq: string | undefined;
    if (input.NextToken) {
      beforeSeq = decodeCursor(input.NextToken);
      if (beforeSeq === undefined) throw errors.invalidParameter("NextToken", "the NextToken is not one this service issued");
    }
    // One row more than asked tells whether another page exists, so the last page says so at once.
    const [rows, total] = await Promise.all([q.listUsers(deps.db, accountId, poolUid, filter, { limit: max + 1, ...(beforeSeq !== undefined && { beforeSeq }) }), count()]);
    const page = rows.slice(0, max);
    const more = rows.length > max;
    return { Data: page.map(userView), TotalCount: total, NextToken: more ? encodeCursor(page[page.length - 1]!.seq) : "", MaxResults: max };
  }

  const pageNumber = input.PageNumber ?? 1;
  const pageSize = input.PageSize ?? DEFAULT_PAGE_SIZE;
  const [rows, total] = await Promise.all([q.listUsers(deps.db, accountId, poolUid, filter, { limit: pageSize, offset: (pageNumber - 1) * pageSize }), count()]);
  return { Data: rows.map(userView), TotalCount: total, PageNumber: pageNumber, PageSize: pageSize };
}
