// The API representation of a group (upstream's Group). GroupIdTokenName is derived from the Name
// (the name a token's group claim would carry); the member count is the triggers' counter.
import { formatTime } from "../core/time.js";
import type { GroupRow } from "./queries.js";

export function groupView(r: GroupRow) {
  return {
    Uid: r.uid,
    UserPoolUid: r.user_pool_uid,
    Name: r.name,
    Description: r.description,
    Precedence: r.precedence,
    IamRoleTrn: r.iam_role_trn,
    GroupIdTokenName: r.name,
    Source: r.source,
    CreateTime: formatTime(r.created_at),
    UpdateTime: formatTime(r.updated_at),
  };
}

/** An item of ListGroups, ListGroupsForUser and ListGroupsForUsers. */
export const groupListItem = (r: GroupRow) => ({ ...groupView(r), TotalCountOfGroupMember: r.total_members });
