// The API representation of a department (upstream's Department): the row, with the counts computed
// for it (queries.ts countsOf / subtreeCounts), the stored paths without their trailing '/'.
import { formatTime } from "../core/time.js";
import type { Counts, DepartmentRow } from "./queries.js";
import { TOP, type DepartmentView } from "./schemas.js";

const NO_COUNTS: Counts = { children: 0, members: 0, memberCount: 0 };

export function departmentView(r: DepartmentRow, c: Counts = NO_COUNTS): DepartmentView {
  return {
    Uid: r.uid,
    UserPoolUid: r.user_pool_uid,
    Name: r.name,
    ParentDepartmentUid: r.parent_uid ?? TOP,
    Path: r.path.slice(0, -1),
    NamePath: r.name_path,
    Description: r.description,
    ExternalID: r.external_id,
    Source: r.source,
    Precedence: r.precedence,
    IamRoleTrn: r.iam_role_trn,
    DirectChildrenCount: c.children,
    DirectMemberCount: c.members,
    MemberCount: c.memberCount,
    CreateTime: formatTime(r.created_at),
    UpdateTime: formatTime(r.updated_at),
  };
}

/** The views of rows with their counts from `counts` (absent: all zero). */
export const viewsOf = (rows: DepartmentRow[], counts: Map<string, Counts>) => rows.map((r) => departmentView(r, counts.get(r.uid)));
