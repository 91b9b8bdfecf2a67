// The department tree end to end through the official SDK: create, get, update (rename, move),
// delete with its policies, the list, batch, tree and path reads; cycles refused; the per-pool quota
// under concurrent creates; another account's departments NotFound; readonly keys read only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { departmentActions } from "../../src/departments/actions.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { expectedTree, newDepartment, TOP } from "../support/families/departments.js";
import { createPool } from "../support/families/user-pools.js";
import { newUser } from "../support/families/users.js";

const outputOf = (name: string) => departmentActions.find((a) => a.name === name)!.output;
const QUOTA = 6;
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({ env: { ID_QUOTA_DEPARTMENTS_PER_POOL: String(QUOTA) } });
});
afterAll(() => svc.close());

const create = async (UserPoolUid: string, Name: string, parent = TOP, fields: Record<string, unknown> = {}) =>
  (await svc.ok("CreateDepartment", { UserPoolUid, Name, ParentDepartmentUid: parent, ...fields })).Uid as string;
const get = (UserPoolUid: string, DepartmentUid: string) => svc.ok("GetDepartment", { UserPoolUid, DepartmentUid });

/** Every department's paths and counts as GetDepartment answers them equal a recomputation from the rows. */
async function expectConsistent(pool: string) {
  const expected = await expectedTree(svc, pool);
  for (const [uid, want] of expected) expect(await get(pool, uid)).toMatchObject(want);
}

describe("the department tree", () => {
  it("creates, gets, updates and deletes with upstream's fields", async () => {
    const pool = await createPool(svc);
    const created = await svc.ok("CreateDepartment", {
      UserPoolUid: pool,
      Name: "Engineering",
      ParentDepartmentUid: TOP,
      Description: "builds",
      Precedence: 3,
      ExternalID: "e-1",
      Source: "hr",
    });
    outputOf("CreateDepartment").parse(created);
    expect(created).toEqual({
      Uid: expect.any(String),
      UserPoolUid: pool,
      Name: "Engineering",
      ParentDepartmentUid: TOP,
      Path: `/${created.Uid}`,
      NamePath: "/Engineering",
      Description: "builds",
      ExternalID: "e-1",
      Source: "hr",
      Precedence: 3,
      IamRoleTrn: "",
      DirectChildrenCount: 0,
      DirectMemberCount: 0,
      MemberCount: 0,
      CreateTime: expect.any(String),
      UpdateTime: created.CreateTime,
    });
    expect(await svc.ok("GetDepartment", { UserPoolUid: pool, DepartmentUid: created.Uid }, { key: svc.readonly })).toEqual(created);
    expect(
      codeOf(
        await svc.call("CreateDepartment", { UserPoolUid: pool, Name: "again", ParentDepartmentUid: TOP, ExternalID: "e-1", Source: "hr" }),
      ),
    ).toBe("Duplicated");
    expect(codeOf(await svc.call("CreateDepartment", { UserPoolUid: pool, Name: "x", ParentDepartmentUid: "nope" }))).toBe("NotFound");

    svc.clock.advance(5);
    const updated = await svc.ok("UpdateDepartment", { UserPoolUid: pool, DepartmentUid: created.Uid, Name: "Eng", Precedence: -1 });
    outputOf("UpdateDepartment").parse(updated);
    expect(updated).toMatchObject({ Name: "Eng", NamePath: "/Eng", Precedence: -1, Description: "builds" });
    expect(updated.UpdateTime > created.UpdateTime).toBe(true);
    expect(await svc.ok("DeleteDepartment", { UserPoolUid: pool, DepartmentUid: created.Uid })).toEqual({
      Message: "1 departments deleted, 0 memberships removed",
    });
    expect((await svc.call("GetDepartment", { UserPoolUid: pool, DepartmentUid: created.Uid })).ResponseMetadata.Error).toMatchObject({
      Code: "NotFound",
      Message: `resource Department ${created.Uid} does not exist`,
    });
  });

  it("moves subtrees, rewriting paths and name paths, and refuses cycles", async () => {
    const pool = await createPool(svc);
    const a = await create(pool, "A");
    const b = await create(pool, "B", a);
    const c = await create(pool, "C", b);
    const d = await create(pool, "D");
    expect(await get(pool, c)).toMatchObject({ Path: `/${a}/${b}/${c}`, NamePath: "/A/B/C", ParentDepartmentUid: b });
    for (const target of [a, b, c]) {
      const env = await svc.call("UpdateDepartment", { UserPoolUid: pool, DepartmentUid: a, ParentDepartmentUid: target });
      expect(codeOf(env)).toBe("InvalidParameter.ParentDepartmentUid");
    }
    await svc.ok("UpdateDepartment", { UserPoolUid: pool, DepartmentUid: b, ParentDepartmentUid: d, Name: "B2" });
    expect(await get(pool, c)).toMatchObject({ Path: `/${d}/${b}/${c}`, NamePath: "/D/B2/C" });
    expect(await get(pool, a)).toMatchObject({ DirectChildrenCount: 0 });
    expect(await get(pool, d)).toMatchObject({ DirectChildrenCount: 1 });
    await svc.ok("UpdateDepartment", { UserPoolUid: pool, DepartmentUid: b, ParentDepartmentUid: TOP });
    expect(await get(pool, c)).toMatchObject({ Path: `/${b}/${c}`, NamePath: "/B2/C" });
    await expectConsistent(pool);
  });

  it("refuses concurrent moves that together would make a cycle", async () => {
    const pool = await createPool(svc);
    const x = await create(pool, "X");
    const y = await create(pool, "Y");
    // X under Y and Y under X at once: the tree lock runs them one after the other, so the second sees the first.
    const results = await Promise.all([
      svc.call("UpdateDepartment", { UserPoolUid: pool, DepartmentUid: x, ParentDepartmentUid: y }),
      svc.call("UpdateDepartment", { UserPoolUid: pool, DepartmentUid: y, ParentDepartmentUid: x }),
    ]);
    expect(results.map(codeOf).sort()).toEqual(["InvalidParameter.ParentDepartmentUid", "OK"]);
    await expectConsistent(pool);
  });

  it("deletes children and members only when asked, and never users", async () => {
    const pool = await createPool(svc);
    const top = await create(pool, "top");
    const mid = await create(pool, "mid", top);
    const leaf = await create(pool, "leaf", mid);
    const { uid: u1 } = await newUser(svc, pool);
    const { uid: u2 } = await newUser(svc, pool);
    await svc.ok("AddUsersToDepartment", { UserPoolUid: pool, DepartmentUid: leaf, UserUids: [u1, u2] });
    await svc.ok("AddUsersToDepartment", { UserPoolUid: pool, DepartmentUid: mid, UserUids: [u1] });
    expect(codeOf(await svc.call("DeleteDepartment", { UserPoolUid: pool, DepartmentUid: mid }))).toBe(
      "InvalidParameter.ForceDeleteChildren",
    );
    expect(codeOf(await svc.call("DeleteDepartment", { UserPoolUid: pool, DepartmentUid: leaf }))).toBe("InvalidParameter.MemberPolicy");
    expect(
      codeOf(
        await svc.call("DeleteDepartment", {
          UserPoolUid: pool,
          DepartmentUid: top,
          ForceDeleteChildren: true,
          MemberPolicy: "MoveToParent",
        }),
      ),
    ).toBe("InvalidParameter.MemberPolicy");
    expect(
      await svc.ok("DeleteDepartment", { UserPoolUid: pool, DepartmentUid: mid, ForceDeleteChildren: true, MemberPolicy: "MoveToParent" }),
    ).toEqual({ Message: "2 departments deleted, 3 memberships moved to the parent" });
    expect(await get(pool, top)).toMatchObject({ DirectChildrenCount: 0, DirectMemberCount: 2, MemberCount: 2 });
    expect(await svc.ok("DeleteDepartment", { UserPoolUid: pool, DepartmentUid: top, ForceDeleteMembers: true })).toMatchObject({
      Message: "1 departments deleted, 2 memberships removed",
    });
    expect(codeOf(await svc.call("GetUser", { UserPoolUid: pool, UserUid: u1 }))).toBe("OK");
  });

  it("lists children with filters, sorts and both paging styles", async () => {
    const pool = await createPool(svc);
    const parent = await create(pool, "parent");
    const kids = [
      await create(pool, "Gamma", parent, { Precedence: 2 }),
      await create(pool, "alpha", parent, { Precedence: 3, Description: "first letter" }),
      await create(pool, "Beta", parent, { Precedence: 1, ExternalID: "b" }),
    ];
    const list = (extra: Record<string, unknown>) =>
      svc.ok("ListDepartments", { UserPoolUid: pool, ParentDepartmentUid: parent, ...extra }, { key: svc.readonly });
    const page = await list({});
    outputOf("ListDepartments").parse(page);
    expect(page.Data.map((d: { Name: string }) => d.Name)).toEqual(["Beta", "Gamma", "alpha"]);
    expect(page).toMatchObject({ TotalCount: 3, PageNumber: 1, PageSize: 10, NextToken: "" });
    expect((await list({ SortField: "Name" })).Data.map((d: { Name: string }) => d.Name)).toEqual(["alpha", "Beta", "Gamma"]);
    expect((await list({ Filter: { Name: "a", NameMatchMode: 0 } })).TotalCount).toBe(3);
    expect((await list({ Filter: { Name: "ALPHA", NameMatchMode: 1 } })).Data.map((d: { Uid: string }) => d.Uid)).toEqual([kids[1]]);
    expect((await list({ Filter: { Description: "LETTER" } })).TotalCount).toBe(1);
    expect((await list({ Filter: { ExternalID: "b", Source: "Manual" } })).Data.map((d: { Uid: string }) => d.Uid)).toEqual([kids[2]]);
    const first = await list({ MaxResults: 2 });
    expect(first.Data).toHaveLength(2);
    const second = await list({ NextToken: first.NextToken, MaxResults: 2 });
    expect(second).toMatchObject({ NextToken: "", TotalCount: 3 });
    expect([...first.Data, ...second.Data].map((d: { Name: string }) => d.Name)).toEqual(["Beta", "Gamma", "alpha"]);
    expect((await list({ PageNumber: 2, PageSize: 2 })).Data.map((d: { Name: string }) => d.Name)).toEqual(["alpha"]);
    expect(
      (await svc.ok("ListDepartments", { UserPoolUid: pool, ParentDepartmentUid: TOP })).Data.map((d: { Uid: string }) => d.Uid),
    ).toEqual([parent]);
    expect(codeOf(await svc.call("ListDepartments", { UserPoolUid: pool, ParentDepartmentUid: parent, NextToken: "garbage" }))).toBe(
      "InvalidParameter.NextToken",
    );
  });

  it("pages by a keyset NextToken in every sort, ties included, without repeats or skips when rows come and go", async () => {
    const pool = await createPool(svc);
    const parent = await create(pool, "parent");
    // Ties on every key: two precedences, two names (case apart), created in one burst.
    for (let i = 0; i < 5; i++) await create(pool, i % 2 ? "Same" : "same", parent, { Precedence: i % 2 });
    const list = (extra: Record<string, unknown>) =>
      svc.ok("ListDepartments", { UserPoolUid: pool, ParentDepartmentUid: parent, ...extra });
    for (const SortField of ["Precedence", "Name", "CreateTime", "UpdateTime"])
      for (const SortDirection of ["Asc", "Desc"]) {
        const whole = (await list({ SortField, SortDirection, PageSize: 100 })).Data.map((d: { Uid: string }) => d.Uid);
        const paged: string[] = [];
        let token = "";
        let removed = false;
        do {
          const page = await list({ SortField, SortDirection, MaxResults: 2, ...(token && { NextToken: token }) });
          paged.push(...page.Data.map((d: { Uid: string }) => d.Uid));
          token = page.NextToken;
          // A department removed behind the cursor moves nothing after it.
          if (!removed && token) {
            await svc.ok("DeleteDepartment", { UserPoolUid: pool, DepartmentUid: paged[0] });
            removed = true;
          }
        } while (token);
        expect(paged, `${SortField} ${SortDirection}`).toEqual(whole);
        await create(pool, "same", parent, { Precedence: 0 });
      }
    const first = await list({ SortField: "Name", MaxResults: 1 });
    expect(codeOf(await svc.call("ListDepartments", { UserPoolUid: pool, ParentDepartmentUid: parent, NextToken: first.NextToken }))).toBe(
      "InvalidParameter.NextToken",
    );
    const forged = Buffer.from("d1:Precedence:Asc:eDsgZHJvcA:dQ").toString("base64url");
    expect(codeOf(await svc.call("ListDepartments", { UserPoolUid: pool, ParentDepartmentUid: parent, NextToken: forged }))).toBe(
      "InvalidParameter.NextToken",
    );
  });

  it("answers batches, paths and trees with MaxDepth and filters", async () => {
    const pool = await createPool(svc);
    const a = await create(pool, "A");
    const b = await create(pool, "B", a);
    const c = await create(pool, "C", b);
    const z = await create(pool, "Z", TOP, { Precedence: 5 });
    const { uid } = await newUser(svc, pool);
    await svc.ok("AddUsersToDepartment", { UserPoolUid: pool, DepartmentUid: c, UserUids: [uid] });
    await svc.ok("AddUsersToDepartment", { UserPoolUid: pool, DepartmentUid: a, UserUids: [uid] });

    const batch = await svc.ok("BatchGetDepartments", { UserPoolUid: pool, DepartmentUids: [a, c, "missing"] });
    outputOf("BatchGetDepartments").parse(batch);
    expect(Object.keys(batch.DepartmentsByUid).sort()).toEqual([a, c].sort());
    expect(batch.DepartmentsByUid[a]).toMatchObject({ MemberCount: 1, DirectMemberCount: 1, DirectChildrenCount: 1 });

    const path = await svc.ok("GetDepartmentPath", { UserPoolUid: pool, DepartmentUid: c });
    outputOf("GetDepartmentPath").parse(path);
    expect(path.Path.map((d: { Name: string }) => d.Name)).toEqual(["A", "B", "C"]);

    const shape = (nodes: { Department: { Name: string }; Children: unknown[] }[]): unknown =>
      nodes.map((n) => [n.Department.Name, shape(n.Children as never)]);
    const whole = await svc.ok("GetDepartmentTree", { UserPoolUid: pool, RootDepartmentUid: TOP }, { key: svc.readonly });
    outputOf("GetDepartmentTree").parse(whole);
    expect(shape(whole.Roots)).toEqual([
      ["A", [["B", [["C", []]]]]],
      ["Z", []],
    ]);
    expect(whole.Roots[0]).toMatchObject({ MemberCount: 1, Department: { MemberCount: 1, DirectMemberCount: 1 } });
    expect(shape((await svc.ok("GetDepartmentTree", { UserPoolUid: pool, RootDepartmentUid: a, MaxDepth: 2 })).Roots)).toEqual([
      ["A", [["B", []]]],
    ]);
    expect(
      shape(
        (await svc.ok("GetDepartmentTree", { UserPoolUid: pool, RootDepartmentUid: TOP, Filter: { Name: "c", NameMatchMode: 1 } })).Roots,
      ),
    ).toEqual([["A", [["B", [["C", []]]]]]]);
    expect(
      shape(
        (
          await svc.ok("GetDepartmentTree", {
            UserPoolUid: pool,
            RootDepartmentUid: TOP,
            Filter: { Name: "c", NameMatchMode: 1 },
            FilterResultMode: 1,
          })
        ).Roots,
      ),
    ).toEqual([["C", []]]);
    expect(shape((await svc.ok("GetDepartmentTree", { UserPoolUid: pool, RootDepartmentUid: z })).Roots)).toEqual([["Z", []]]);
  });

  it("holds the per-pool quota under concurrent creates", async () => {
    const pool = await createPool(svc);
    const results = await Promise.all(
      Array.from({ length: QUOTA + 4 }, (_, i) =>
        svc.call("CreateDepartment", { UserPoolUid: pool, Name: `d${i}`, ParentDepartmentUid: TOP }),
      ),
    );
    expect(results.filter((r) => codeOf(r) === "OK")).toHaveLength(QUOTA);
    expect(results.filter((r) => codeOf(r) === "QuotaExceeded")).toHaveLength(4);
  });

  it("keeps departments to their account and writes to admin keys", async () => {
    const { UserPoolUid, DepartmentUid } = await newDepartment(svc);
    expect(codeOf(await svc.call("GetDepartment", { UserPoolUid, DepartmentUid }, { key: svc.otherAdmin }))).toBe("NotFound");
    expect(codeOf(await svc.call("UpdateDepartment", { UserPoolUid, DepartmentUid, Name: "x" }, { key: svc.readonly }))).toBe(
      "AccessDenied",
    );
    expect(codeOf(await svc.call("CreateDepartment", { UserPoolUid, Name: "x", ParentDepartmentUid: TOP, Bogus: 1 }))).toBe(
      "InvalidParameter.Bogus",
    );
    expect(codeOf(await svc.call("CreateDepartment", { UserPoolUid, Name: "", ParentDepartmentUid: TOP }))).toMatch(
      /^(MissingParameter|InvalidParameter)\.Name$/,
    );
    await svc.ok("DeleteUserPool", { UserPoolUid });
    const left = await svc.deps.db.selectFrom("departments").select("uid").where("user_pool_uid", "=", UserPoolUid).execute();
    expect(left).toEqual([]);
  });
});
