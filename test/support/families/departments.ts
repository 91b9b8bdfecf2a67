// Test helpers of the departments family (a department in a fresh pool, a member, a recomputation of
// every count and path from the raw rows) and its cases for the shared security suite: every
// department action, with params naming the service's own resources.
import type { TestService } from "../harness.js";
import type { CrossAccountCase } from "../security-cases.js";
import { createPool } from "./user-pools.js";
import { newUser } from "./users.js";

export const TOP = "0";

/** A department under `parent` (default: the top level) of a fresh pool or the given one. */
export async function newDepartment(svc: TestService, userPoolUid?: string, fields: Record<string, unknown> = {}) {
  const UserPoolUid = userPoolUid ?? (await createPool(svc));
  const d = await svc.ok("CreateDepartment", { UserPoolUid, Name: "dept", ParentDepartmentUid: TOP, ...fields });
  return { UserPoolUid, DepartmentUid: d.Uid as string, department: d };
}

/** A department with one member. */
export async function departmentWithMember(svc: TestService) {
  const { UserPoolUid, DepartmentUid } = await newDepartment(svc);
  const { uid } = await newUser(svc, UserPoolUid);
  await svc.ok("AddUsersToDepartment", { UserPoolUid, DepartmentUid, UserUids: [uid] });
  return { UserPoolUid, DepartmentUid, UserUid: uid };
}

/**
 * Every department of the pool as the API should answer it, recomputed from the raw rows: the paths
 * from the parent links, the counts from the memberships (MemberCount: distinct users at or below).
 */
export async function expectedTree(svc: TestService, poolUid: string) {
  const db = svc.deps.db;
  const rows = await db
    .selectFrom("departments")
    .select(["uid", "parent_uid", "name"])
    .where("account_id", "=", svc.accountId)
    .where("user_pool_uid", "=", poolUid)
    .execute();
  const members = await db
    .selectFrom("department_members")
    .select(["department_uid", "user_uid"])
    .where("account_id", "=", svc.accountId)
    .where("user_pool_uid", "=", poolUid)
    .execute();
  const byUid = new Map(rows.map((r) => [r.uid, r]));
  const chain = (uid: string): string[] => {
    const out: string[] = [];
    for (let at: string | null = uid; at !== null; at = byUid.get(at)!.parent_uid) {
      if (out.includes(at)) throw new Error(`cycle at ${at}`);
      out.unshift(at);
    }
    return out;
  };
  const expected = new Map<
    string,
    {
      Path: string;
      NamePath: string;
      ParentDepartmentUid: string;
      DirectChildrenCount: number;
      DirectMemberCount: number;
      MemberCount: number;
    }
  >();
  for (const r of rows) {
    const up = chain(r.uid);
    const below = rows.filter((x) => chain(x.uid).includes(r.uid)).map((x) => x.uid);
    expected.set(r.uid, {
      Path: up.map((u) => `/${u}`).join(""),
      NamePath: up.map((u) => `/${byUid.get(u)!.name}`).join(""),
      ParentDepartmentUid: r.parent_uid ?? TOP,
      DirectChildrenCount: rows.filter((x) => x.parent_uid === r.uid).length,
      DirectMemberCount: members.filter((m) => m.department_uid === r.uid).length,
      MemberCount: new Set(members.filter((m) => below.includes(m.department_uid)).map((m) => m.user_uid)).size,
    });
  }
  return expected;
}

const deptRef = async (svc: TestService) => {
  const { UserPoolUid, DepartmentUid } = await newDepartment(svc);
  return { UserPoolUid, DepartmentUid };
};
const memberRef = async (svc: TestService) => departmentWithMember(svc);

/** A sync session with one staged department, validated (so it has a job). */
async function sessionRef(svc: TestService) {
  const UserPoolUid = await createPool(svc);
  const { SessionId } = await svc.ok("CreateDepartmentSyncSession", { UserPoolUid, Source: "hr" });
  await svc.ok("UploadDepartmentSyncDepartments", { UserPoolUid, SessionId, Source: "hr", Departments: [{ ExternalID: "a", Name: "A" }] });
  const { ValidateJobId } = await svc.ok("ValidateDepartmentSyncSession", { UserPoolUid, SessionId, Source: "hr" });
  return { UserPoolUid, SessionId, JobId: ValidateJobId as string };
}

export const crossAccountCases: CrossAccountCase[] = [
  {
    action: "BatchUpsertDepartments",
    params: async (svc) => ({ UserPoolUid: await createPool(svc), Source: "hr", Departments: [{ ExternalID: "a", Name: "A" }] }),
  },
  {
    action: "BatchSyncDepartmentMembers",
    params: async (svc) => ({ UserPoolUid: await createPool(svc), Source: "hr", Mappings: [{ ExternalDepartmentID: "a", UserUids: [] }] }),
  },
  { action: "CreateDepartmentSyncSession", params: async (svc) => ({ UserPoolUid: await createPool(svc), Source: "hr" }) },
  {
    action: "UploadDepartmentSyncDepartments",
    params: async (svc) => {
      const { UserPoolUid, SessionId } = await sessionRef(svc);
      return { UserPoolUid, SessionId, Source: "hr", Departments: [{ ExternalID: "b", Name: "B" }] };
    },
  },
  {
    action: "UploadDepartmentSyncMembers",
    params: async (svc) => {
      const { UserPoolUid, SessionId } = await sessionRef(svc);
      return { UserPoolUid, SessionId, Source: "hr", Members: [{ DepartmentExternalID: "a", UserUids: ["u"] }] };
    },
  },
  ...["ValidateDepartmentSyncSession", "CommitDepartmentSyncSession"].map((action) => ({
    action,
    params: async (svc: TestService) => {
      const { UserPoolUid, SessionId } = await sessionRef(svc);
      return { UserPoolUid, SessionId, Source: "hr" };
    },
  })),
  ...["CancelDepartmentSyncSession", "GetDepartmentSyncSession"].map((action) => ({
    action,
    params: async (svc: TestService) => {
      const { UserPoolUid, SessionId } = await sessionRef(svc);
      return { UserPoolUid, SessionId };
    },
  })),
  {
    action: "GetDepartmentSyncJob",
    params: async (svc) => {
      const { UserPoolUid, JobId } = await sessionRef(svc);
      return { UserPoolUid, JobId };
    },
  },
  { action: "ListDepartmentSyncJobs", params: async (svc) => ({ UserPoolUid: (await sessionRef(svc)).UserPoolUid }) },
  { action: "CreateDepartment", params: async (svc) => ({ UserPoolUid: await createPool(svc), Name: "x", ParentDepartmentUid: TOP }) },
  ...["GetDepartment", "DeleteDepartment", "GetDepartmentPath", "ListDepartmentMembers", "ListUsersInDepartment"].map((action) => ({
    action,
    params: deptRef,
  })),
  { action: "UpdateDepartment", params: async (svc) => ({ ...(await deptRef(svc)), Name: "renamed" }) },
  { action: "ListDepartments", params: async (svc) => ({ UserPoolUid: (await deptRef(svc)).UserPoolUid, ParentDepartmentUid: TOP }) },
  {
    action: "BatchGetDepartments",
    params: async (svc) => {
      const { UserPoolUid, DepartmentUid } = await deptRef(svc);
      return { UserPoolUid, DepartmentUids: [DepartmentUid] };
    },
  },
  { action: "GetDepartmentTree", params: async (svc) => ({ UserPoolUid: (await deptRef(svc)).UserPoolUid, RootDepartmentUid: TOP }) },
  ...["AddUsersToDepartment", "RemoveUsersFromDepartment"].map((action) => ({
    action,
    params: async (svc: TestService) => {
      const { UserPoolUid, DepartmentUid, UserUid } = await memberRef(svc);
      return { UserPoolUid, DepartmentUid, UserUids: [UserUid] };
    },
  })),
  {
    action: "ChangeUsersDepartment",
    params: async (svc) => {
      const { UserPoolUid, DepartmentUid, UserUid } = await memberRef(svc);
      return {
        UserPoolUid,
        OriginDepartmentUid: DepartmentUid,
        NewDepartmentUid: (await newDepartment(svc, UserPoolUid)).DepartmentUid,
        UserUids: [UserUid],
      };
    },
  },
  { action: "UpdateDepartmentMember", params: async (svc) => ({ ...(await memberRef(svc)), IsPrimary: true }) },
  {
    action: "ListDepartmentsForUser",
    params: async (svc) => {
      const { UserPoolUid, UserUid } = await memberRef(svc);
      return { UserPoolUid, UserUid };
    },
  },
  {
    action: "BatchListDepartmentsForUsers",
    params: async (svc) => {
      const { UserPoolUid, UserUid } = await memberRef(svc);
      return { UserPoolUid, UserUids: [UserUid] };
    },
  },
];
