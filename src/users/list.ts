// ListUsers with upstream's request: Filter (the keys that apply to what idplane stores),
// UniversalSearch, SortField/SortDirection, ResponseValueMask/ResponseValueNull, and PageNumber/
// PageSize (offset) or NextToken/MaxResults (a keyset cursor on (sort key, seq), equally fast at any
// depth). TotalCount of an unfiltered list is the pool's counter, which the triggers keep exact.
import { z } from "zod";
import type { AppDeps } from "../deps.js";
import { cursorPage, offsetPage } from "../core/page.js";
import { errors } from "../core/errors.js";
import { uid } from "../core/schemas.js";
import { parentPool } from "../user-pools/parent.js";
import {
  hasFilter,
  SORT_FIELDS,
  TEXT_FIELDS,
  userListing,
  type After,
  type ListedUser,
  type Sort,
  type SortField,
  type TextField,
  type UserFilter,
} from "./list-query.js";
import { responseValueMask, userOutput, userState } from "./schemas.js";
import { customAttributeFilter, customAttributeFilterSql } from "./attribute-filter.js";
import { poolCustomAttributes } from "./custom-attributes.js";
import { userView, type UserView, type ViewOptions } from "./view.js";
import { groupFilterFields, groupFilterOf, soleGroupCount, withGroupUids } from "./group-membership.js";
import { departmentFilterOf, withDepartmentUids } from "./department-membership.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { externalUserId } from "../external-identities/schemas.js";
import { withExternalIdentities } from "../external-identities/view.js";

export const DEFAULT_PAGE_SIZE = 10;
/** Searched when a UniversalSearch item names no Fields. */
const DEFAULT_SEARCH_FIELDS: TextField[] = ["PreferredUsername", "Email", "PhoneNumber", "Name", "Nickname"];

const text = (max: number) => z.string().trim().max(max);
const flag = z.boolean();

/** ListUsers' request fields (ListUsersInGroup takes them less the sort and response options). */
export const listFields = {
  UserPoolUid: uid(),
  PageNumber: z.number().int().min(1).max(1_000_000).optional(),
  PageSize: z.number().int().min(1).max(100).optional(),
  NextToken: z.string().trim().max(1024).describe("the NextToken of the previous page; start with MaxResults alone").optional(),
  MaxResults: z.number().int().min(1).max(100).optional(),
  SortField: z
    .enum(SORT_FIELDS)
    .describe("CreateTime (default), UpdateTime or a text field; text sorts case-insensitively by code point")
    .optional(),
  SortDirection: z.enum(["Asc", "Desc"]).describe("default Desc for CreateTime and UpdateTime, Asc for text fields").optional(),
  Filter: z
    .object({
      // Exact values ("" is no filter): case-insensitive except PhoneNumber.
      ...(Object.fromEntries(TEXT_FIELDS.map((f) => [f, text(f === "Email" ? 254 : f === "PhoneNumber" ? 16 : 256)])) as Record<
        TextField,
        z.ZodString
      >),
      PreferredUsernameIsNullOrEmpty: flag,
      EmailIsNullOrEmpty: flag,
      PhoneNumberIsNullOrEmpty: flag,
      NameIsNullOrEmpty: flag,
      GivenNameIsNullOrEmpty: flag,
      FamilyNameIsNullOrEmpty: flag,
      MiddleNameIsNullOrEmpty: flag,
      NicknameIsNullOrEmpty: flag,
      WebsiteIsNullOrEmpty: flag,
      GenderIsNullOrEmpty: flag,
      EmailIsDuplicated: flag.describe(
        "true: users whose Email another user of the pool has too (only federated users share one); false: no filter",
      ),
      PhoneNumberIsDuplicated: flag.describe("true: users whose PhoneNumber another user of the pool has too; false: no filter"),
      UserUidsOr: z.array(uid()).max(100),
      UniversalSearch: z
        .array(
          z.object({
            Search: text(256),
            Fields: z.array(z.enum(TEXT_FIELDS)).max(TEXT_FIELDS.length).optional(),
            ExactMatch: z.boolean().describe("false (default): a case-insensitive prefix of the field").optional(),
          }),
        )
        .max(5)
        .describe("every item must match (in any of its Fields)"),
      UserState: userState,
      EmailPhoneNameIsNullOrEmpty: flag.describe("true: Email, PhoneNumber and Name are all empty; false: at least one is set"),
      CustomAttributeFilter: customAttributeFilter,
      // Written by sign-ins (src/users/sign-in.ts): exact, case-insensitive, like the text fields.
      LatestBrowser: text(256).describe('the browser family of the latest sign-in, such as Chrome or Firefox ("" is no filter)'),
      LatestLoginMethod: text(64).describe('how the user last signed in, such as password ("" is no filter)'),
      DepartmentUid: text(128).describe('members of this department ("" is no filter); a uid naming no department matches no user'),
      DepartmentUidRecursive: flag.describe("true: DepartmentUid matches members of the departments below it as well"),
      NotInAnyDepartment: flag.describe("true: users in no department; false: users in at least one"),
      ...groupFilterFields,
      Connection: text(128).describe("federated users created through this connection"),
      ExternalProviderUserIdentifiersOr: z
        .array(externalUserId())
        .max(100)
        .describe("users linked to any of these ids, at any connection of the pool"),
    })
    .partial()
    .optional(),
  ResponseValueMask: responseValueMask.optional(),
  ResponseValueNull: z
    .object({ UserMetadata: z.boolean(), ExternalIdentitiesExternalProviderUserMetadata: z.boolean() })
    .partial()
    .describe('answer these as ""')
    .optional(),
};

type Paging = {
  NextToken?: string | undefined;
  MaxResults?: number | undefined;
  PageNumber?: number | undefined;
  PageSize?: number | undefined;
};
/** The refinement every user list applies: one paging style per call. */
export const onePagingStyle: [(i: Paging) => boolean, { message: string; path: string[] }] = [
  (i) => (i.NextToken === undefined && i.MaxResults === undefined) || (i.PageNumber === undefined && i.PageSize === undefined),
  { message: "use either PageNumber/PageSize or NextToken/MaxResults, not both", path: ["NextToken"] },
];

export const listInput = z.object(listFields).refine(...onePagingStyle);

export const listOutput = z.object({
  Data: z.array(userOutput),
  TotalCount: z.number().int(),
  PageNumber: z.number().int().describe("0 on a cursor page"),
  PageSize: z.number().int(),
  NextToken: z.string().describe("empty on the last page, and on PageNumber pages"),
  MaxResults: z.number().int().optional(),
});

export type ListUsersInput = Omit<z.output<typeof listInput>, "UserPoolUid">;

/** Where a user list is confined: ListUsersInGroup's group, ListUsersInDepartment's department. */
export interface Within {
  group?: string | undefined;
  department?: string | undefined;
}

function filterOf(f: ListUsersInput["Filter"] = {}, within: Within, attributes?: UserFilter["attributes"]): UserFilter {
  const equals: UserFilter["equals"] = {};
  const empty: UserFilter["empty"] = {};
  for (const field of TEXT_FIELDS) {
    if (f[field]) equals[field] = f[field];
    const flagged = (f as Record<string, boolean | undefined>)[`${field}IsNullOrEmpty`];
    if (flagged !== undefined) empty[field] = flagged;
  }
  return {
    equals,
    empty,
    searches: (f.UniversalSearch ?? [])
      .filter((s) => s.Search !== "")
      .map((s) => ({ Search: s.Search, Fields: s.Fields?.length ? s.Fields : DEFAULT_SEARCH_FIELDS, ExactMatch: s.ExactMatch ?? false })),
    uids: f.UserUidsOr,
    userState: f.UserState,
    latestBrowser: f.LatestBrowser || undefined,
    latestLoginMethod: f.LatestLoginMethod || undefined,
    contactless: f.EmailPhoneNameIsNullOrEmpty,
    attributes,
    groups: groupFilterOf(f, within.group),
    departments: departmentFilterOf(f, within.department),
    duplicated: [...(f.EmailIsDuplicated ? (["Email"] as const) : []), ...(f.PhoneNumberIsDuplicated ? (["PhoneNumber"] as const) : [])],
    connection: f.Connection || undefined,
    externalIds: f.ExternalProviderUserIdentifiersOr,
  };
}

/** `within`: ListUsersInGroup's group or ListUsersInDepartment's department (the caller has found it). */
export async function listUsers(deps: Pick<AppDeps, "db">, accountId: string, poolUid: string, input: ListUsersInput, within: Within = {}) {
  const pool = await parentPool(deps.db, accountId, poolUid, "read");
  const attributeFilter = input.Filter?.CustomAttributeFilter;
  const attributes = attributeFilter && customAttributeFilterSql(await poolCustomAttributes(deps.db, accountId, poolUid), attributeFilter);
  const filter = filterOf(input.Filter, within, attributes);
  const field: SortField = input.SortField ?? "CreateTime";
  const sort: Sort = { field, direction: input.SortDirection ?? (field === "CreateTime" || field === "UpdateTime" ? "Desc" : "Asc") };
  const opts: ViewOptions = { mask: input.ResponseValueMask, nullUserMetadata: input.ResponseValueNull?.UserMetadata };
  const view = (row: ListedUser) => userView(row, opts);
  // Unfiltered, TotalCount is the pool's counter; filtered by one group only, the group's; otherwise the helpers count the filtered query.
  const others = hasFilter({ ...filter, groups: undefined });
  const total = others
    ? undefined
    : filter.groups === undefined
      ? () => Promise.resolve(pool.total_users)
      : soleGroupCount(deps.db, accountId, poolUid, filter.groups);
  const filled = async <P extends { Data: UserView[] }>(page: P): Promise<P> => {
    await Promise.all([withGroupUids(deps.db, accountId, poolUid, page.Data), withDepartmentUids(deps.db, accountId, poolUid, page.Data)]);
    return {
      ...page,
      Data: await withExternalIdentities(deps.db, accountId, poolUid, page.Data, {
        nullMetadata: input.ResponseValueNull?.ExternalIdentitiesExternalProviderUserMetadata,
      }),
    };
  };

  if (input.NextToken !== undefined || input.MaxResults !== undefined) {
    let after: After | undefined;
    if (input.NextToken) {
      after = decodeCursor(input.NextToken, sort);
      if (after === undefined)
        throw errors.invalidParameter("NextToken", "the NextToken is not one this service issued for this SortField and SortDirection");
    }
    const page = await filled(
      await cursorPage(
        userListing(deps.db, accountId, poolUid, filter, sort, after),
        input.MaxResults ?? DEFAULT_PAGE_SIZE,
        view,
        (last) => encodeCursor(sort, last.seq, last.sort_key),
        total,
      ),
    );
    return { ...page, PageNumber: 0, PageSize: page.MaxResults };
  }
  const page = { PageNumber: input.PageNumber ?? 1, PageSize: input.PageSize ?? DEFAULT_PAGE_SIZE };
  return { ...(await filled(await offsetPage(userListing(deps.db, accountId, poolUid, filter, sort), page, view, total))), NextToken: "" };
}
