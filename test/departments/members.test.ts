// Department membership end to end through the official SDK: AddUsersToDepartment,
// RemoveUsersFromDepartment, ChangeUsersDepartment, UpdateDepartmentMember, ListDepartmentMembers,
// ListUsersInDepartment (direct and recursive), ListDepartmentsForUser, BatchListDepartmentsForUsers;
// users' DepartmentUids and ListUsers' department filters; the per-user quota under concurrency;
// memberships gone with their user.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { departmentActions } from "../../src/departments/actions.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { TOP } from "../support/families/departments.js";
import { createPool, uniqueName } from "../support/families/user-pools.js";

const outputOf = (name: string) => departmentActions.find((a) => a.name === name)!.output;
const PER_USER = 3;
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({ env: { ID_QUOTA_DEPARTMENTS_PER_USER: String(PER_USER) } });
});
afterAll(() => svc.close());

async function users(pool: string, n: number): Promise<string[]> {
  const r = await svc.ok("CreateUsers", {
    UserPoolUid: pool,
    Users: Array.from({ length: n }, () => ({ Email: `${uniqueName("m")}@example.com` })),
  });
  return r.SuccessfulUids;
}
const dept = async (UserPoolUid: string, Name: string, ParentDepartmentUid = TOP, extra: Record<string, unknown> = {}) =>
  (await svc.ok("CreateDepartment", { UserPoolUid, Name, ParentDepartmentUid, ...extra })).Uid as string;
const add = (UserPoolUid: string, DepartmentUid: string, UserUids: string[]) =>
  svc.ok("AddUsersToDepartment", { UserPoolUid, DepartmentUid, UserUids });
const uidsOf = (page: { Data: { Uid: string }[] }) => page.Data.map((u) => u.Uid);

describe("department membership", () => {
  it("adds, removes, moves and marks members; both sides' reads follow", async () => {
    const pool = await createPool(svc);
    const a = await dept(pool, "A", TOP, { Precedence: 5 });
    const b = await dept(pool, "B", TOP, { Precedence: 1 });
    const [u1, u2, u3] = await users(pool, 3);
    expect(await add(pool, a, [u1!, u2!, u1!])).toEqual({ Message: `2 users added to department ${a}` });
    expect(await add(pool, a, [u1!])).toEqual({ Message: `0 users added to department ${a}` });
    await add(pool, b, [u1!]);
    expect((await svc.ok("GetUser", { UserPoolUid: pool, UserUid: u1 })).DepartmentUids).toEqual([b, a]);

    expect(
      await svc.ok("UpdateDepartmentMember", { UserPoolUid: pool, DepartmentUid: a, UserUid: u1, IsPrimary: true, Role: "lead" }),
    ).toMatchObject({ Message: expect.any(String) });
    expect((await svc.ok("GetUser", { UserPoolUid: pool, UserUid: u1 })).DepartmentUids).toEqual([a, b]);
    await svc.ok("UpdateDepartmentMember", { UserPoolUid: pool, DepartmentUid: b, UserUid: u1, IsPrimary: true });
    const forU1 = await svc.ok("ListDepartmentsForUser", { UserPoolUid: pool, UserUid: u1 }, { key: svc.readonly });
    outputOf("ListDepartmentsForUser").parse(forU1);
    expect(
      forU1.Departments.map((d: { Department: { Uid: string }; IsPrimary: boolean; Role: string }) => [
        d.Department.Uid,
        d.IsPrimary,
        d.Role,
      ]),
    ).toEqual([
      [b, true, ""],
      [a, false, "lead"],
    ]);
    expect(codeOf(await svc.call("UpdateDepartmentMember", { UserPoolUid: pool, DepartmentUid: b, UserUid: u3, Role: "x" }))).toBe(
      "NotFound",
    );

    const members = await svc.ok("ListDepartmentMembers", { UserPoolUid: pool, DepartmentUid: a }, { key: svc.readonly });
    outputOf("ListDepartmentMembers").parse(members);
    expect(members).toMatchObject({ TotalCount: 2, PageNumber: 1, PageSize: 10 });
    expect((await svc.ok("ListDepartmentMembers", { UserPoolUid: pool, DepartmentUid: a, Role: "lead" })).Members).toEqual([
      { UserUid: u1, IsPrimary: false, Role: "lead" },
    ]);

    const batch = await svc.ok("BatchListDepartmentsForUsers", { UserPoolUid: pool, UserUids: [u3, u2] });
    outputOf("BatchListDepartmentsForUsers").parse(batch);
    expect(batch.Users.map((u: { UserUid: string; Departments: unknown[] }) => [u.UserUid, u.Departments.length])).toEqual([
      [u3, 0],
      [u2, 1],
    ]);

    // ChangeUsersDepartment keeps IsPrimary and Role; every user must be in the origin.
    expect(
      codeOf(await svc.call("ChangeUsersDepartment", { UserPoolUid: pool, OriginDepartmentUid: a, NewDepartmentUid: b, UserUids: [u3] })),
    ).toBe("InvalidParameter.UserUids");
    const c = await dept(pool, "C");
    await svc.ok("ChangeUsersDepartment", { UserPoolUid: pool, OriginDepartmentUid: a, NewDepartmentUid: c, UserUids: [u1, u2] });
    expect((await svc.ok("ListDepartmentMembers", { UserPoolUid: pool, DepartmentUid: c })).Members).toEqual(
      expect.arrayContaining([
        { UserUid: u1, IsPrimary: false, Role: "lead" },
        { UserUid: u2, IsPrimary: false, Role: "" },
      ]),
    );
    expect((await svc.ok("GetDepartment", { UserPoolUid: pool, DepartmentUid: a })).DirectMemberCount).toBe(0);
    expect(await svc.ok("RemoveUsersFromDepartment", { UserPoolUid: pool, DepartmentUid: c, UserUids: [u1, u3] })).toEqual({
      Message: `1 users removed from department ${c}`,
    });
    expect(codeOf(await svc.call("AddUsersToDepartment", { UserPoolUid: pool, DepartmentUid: c, UserUids: ["nobody"] }))).toBe("NotFound");
  });

  it("lists users in a department and its subtree with ListUsers' filters, and filters ListUsers", async () => {
    const pool = await createPool(svc);
    const top = await dept(pool, "top");
    const mid = await dept(pool, "mid", top);
    const leaf = await dept(pool, "leaf", mid);
    const other = await dept(pool, "other");
    const [u1, u2, u3, u4] = await users(pool, 4);
    await add(pool, top, [u1!]);
    await add(pool, leaf, [u2!, u1!]);
    await add(pool, other, [u3!]);

    const direct = await svc.ok("ListUsersInDepartment", { UserPoolUid: pool, DepartmentUid: top }, { key: svc.readonly });
    outputOf("ListUsersInDepartment").parse(direct);
    expect(uidsOf(direct)).toEqual([u1]);
    const recursive = await svc.ok("ListUsersInDepartment", {
      UserPoolUid: pool,
      DepartmentUid: top,
      Filter: { DepartmentUidRecursive: true },
    });
    expect(recursive.TotalCount).toBe(2);
    expect(uidsOf(recursive).sort()).toEqual([u1, u2].sort());
    expect(
      uidsOf(
        await svc.ok("ListUsersInDepartment", {
          UserPoolUid: pool,
          DepartmentUid: top,
          Filter: { DepartmentUidRecursive: true, UserUidsOr: [u2] },
        }),
      ),
    ).toEqual([u2]);
    expect(codeOf(await svc.call("ListUsersInDepartment", { UserPoolUid: pool, DepartmentUid: "missing" }))).toBe("NotFound");

    const list = async (Filter: Record<string, unknown>) => uidsOf(await svc.ok("ListUsers", { UserPoolUid: pool, Filter })).sort();
    expect(await list({ DepartmentUid: mid })).toEqual([]);
    expect(await list({ DepartmentUid: mid, DepartmentUidRecursive: true })).toEqual([u1, u2].sort());
    expect(await list({ NotInAnyDepartment: true })).toEqual([u4]);
    expect(await list({ NotInAnyDepartment: false })).toEqual([u1, u2, u3].sort());
    expect((await svc.ok("GetDepartment", { UserPoolUid: pool, DepartmentUid: top })).MemberCount).toBe(2);

    // Deleting a user takes its memberships with it.
    await svc.ok("DeleteUsers", { UserPoolUid: pool, UserUids: [u1] });
    expect((await svc.ok("GetDepartment", { UserPoolUid: pool, DepartmentUid: top })).MemberCount).toBe(1);
  });

  it("holds the per-user department quota under concurrent adds", async () => {
    const pool = await createPool(svc);
    const [u] = await users(pool, 1);
    const depts = await Promise.all(Array.from({ length: PER_USER + 3 }, (_, i) => dept(pool, `q${i}`)));
    const results = await Promise.all(
      depts.map((d) => svc.call("AddUsersToDepartment", { UserPoolUid: pool, DepartmentUid: d, UserUids: [u] })),
    );
    expect(results.filter((r) => codeOf(r) === "OK")).toHaveLength(PER_USER);
    expect(results.filter((r) => codeOf(r) === "QuotaExceeded")).toHaveLength(3);
  });
});
