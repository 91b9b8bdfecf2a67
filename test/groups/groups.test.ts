// Groups of a user pool end to end through the official SDK: create, get, list (filters, sorts,
// paging), update and delete; names unique in a pool case-insensitively; the per-pool quota under
// concurrent creates; another account's group is NotFound; readonly keys read only; bad input is a
// typed error; groups go with their pool. Memberships are in group-members.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groupActions } from "../../src/groups/actions.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { newGroup } from "../support/families/groups.js";
import { createPool } from "../support/families/user-pools.js";

const outputOf = (name: string) => groupActions.find((a) => a.name === name)!.output;
const QUOTA = 4;
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({ env: { ID_QUOTA_GROUPS_PER_POOL: String(QUOTA) } });
});
afterAll(() => svc.close());

const create = (UserPoolUid: string, fields: Record<string, unknown>) => svc.call("CreateGroup", { UserPoolUid, Name: "staff", ...fields });
const names = (page: { Data: { Name: string }[] }) => page.Data.map((g) => g.Name);

describe("groups", () => {
  it("creates, gets, updates and deletes a group with upstream's fields", async () => {
    const pool = await createPool(svc);
    const created = await svc.ok("CreateGroup", {
      UserPoolUid: pool,
      Name: "Admins",
      Description: "who runs it",
      Precedence: 2,
      IamRoleTrn: "trn:iam::2100000001:role/admin",
    });
    outputOf("CreateGroup").parse(created);
    expect(created).toEqual({
      Uid: expect.any(String),
      UserPoolUid: pool,
      Name: "Admins",
      Description: "who runs it",
      Precedence: 2,
      IamRoleTrn: "trn:iam::2100000001:role/admin",
      GroupIdTokenName: "Admins",
      Source: "Manual",
      CreateTime: expect.any(String),
      UpdateTime: created.CreateTime,
    });
    const ref = { UserPoolUid: pool, GroupUid: created.Uid };
    expect(await svc.ok("GetGroup", ref, { key: svc.readonly })).toEqual(created);

    svc.clock.advance(5);
    const updated = await svc.ok("UpdateGroup", { ...ref, Precedence: -1, IamRoleTrn: "" });
    outputOf("UpdateGroup").parse(updated);
    expect(updated).toMatchObject({ Name: "Admins", Description: "who runs it", Precedence: -1, IamRoleTrn: "" });
    expect(updated.UpdateTime > created.UpdateTime).toBe(true);
    // An update that changes nothing writes nothing.
    svc.clock.advance(5);
    expect(await svc.ok("UpdateGroup", ref)).toEqual(updated);

    expect(await svc.ok("DeleteGroup", ref)).toEqual({ Message: `group ${created.Uid} deleted` });
    for (const action of ["GetGroup", "DeleteGroup", "UpdateGroup", "ListUsersInGroup"]) {
      const env = await svc.call(action, ref);
      expect(env.ResponseMetadata.Error).toMatchObject({ Code: "NotFound", Message: `resource Group ${created.Uid} does not exist` });
    }
  });

  it("keeps names unique in a pool, case-insensitively, and free across pools", async () => {
    const pool = await createPool(svc);
    await create(pool, { Name: "Ops" });
    const env = await create(pool, { Name: "OPS" });
    expect(env.ResponseMetadata.Error).toMatchObject({ Code: "Duplicated", Message: "resource Group OPS already exists" });
    expect(codeOf(await create(await createPool(svc), { Name: "ops" }))).toBe("OK");
  });

  it("lists with filters, sorts and pages, and member counts", async () => {
    const pool = await createPool(svc);
    const made = [];
    for (const [Name, Precedence, Description] of [
      ["beta", 2, "second"],
      ["alpha", 1, "first"],
      ["Gamma", 3, "third one"],
      ["alphabet", 2, "letters"],
    ] as const) {
      made.push(await svc.ok("CreateGroup", { UserPoolUid: pool, Name, Precedence, Description }));
      svc.clock.advance(1);
    }
    const list = (params: Record<string, unknown>) => svc.ok("ListGroups", { UserPoolUid: pool, ...params }, { key: svc.readonly });
    const all = await list({});
    outputOf("ListGroups").parse(all);
    // Precedence first, then uid: "alphabet" and "beta" share 2.
    expect(names(all)).toEqual(["alpha", ...[made[0], made[3]].sort((a, b) => (a.Uid < b.Uid ? -1 : 1)).map((g) => g.Name), "Gamma"]);
    expect(all).toMatchObject({ PageNumber: 1, PageSize: 10, TotalCount: 4 });
    expect(all.Data[0]).toEqual({ ...made[1], TotalCountOfGroupMember: 0 });

    expect(names(await list({ SortField: "Name" }))).toEqual(["alpha", "alphabet", "beta", "Gamma"]);
    expect(names(await list({ SortField: "CreateTime" }))).toEqual(["alphabet", "Gamma", "alpha", "beta"]);
    expect(names(await list({ SortField: "Precedence", SortDirection: "Desc", PageNumber: 2, PageSize: 3 }))).toEqual(["alpha"]);
    expect(names(await list({ Filter: { Name: "ALPHA" } }))).toEqual(["alpha", "alphabet"]);
    expect(names(await list({ Filter: { Name: "ALPHA", NameMatchMode: 1 } }))).toEqual(["alpha"]);
    expect(names(await list({ Filter: { GroupIdTokenName: "gamma" } }))).toEqual(["Gamma"]);
    expect(names(await list({ Filter: { Name: "alpha", GroupIdTokenName: "beta" } }))).toEqual([]);
    expect(names(await list({ Filter: { Description: "ONE" } }))).toEqual(["Gamma"]);
    expect(names(await list({ Filter: { Source: "Manual", GroupUidsOr: [made[0].Uid, made[2].Uid, "nope"] } }))).toEqual(["beta", "Gamma"]);
    expect((await list({ Filter: { Source: "Scim" } })).TotalCount).toBe(0);
    expect((await list({ Filter: { GroupUidsOr: [] } })).TotalCount).toBe(0);
  });

  it("enforces the per-pool quota under concurrent creates, and a delete frees a place", async () => {
    const pool = await createPool(svc);
    const results = await Promise.all(Array.from({ length: QUOTA + 4 }, (_, i) => create(pool, { Name: `g${i}` })));
    const codes = results.map(codeOf);
    expect(codes.filter((c) => c === "OK")).toHaveLength(QUOTA);
    expect(codes.filter((c) => c === "QuotaExceeded")).toHaveLength(4);
    expect((await svc.ok("ListGroups", { UserPoolUid: pool })).TotalCount).toBe(QUOTA);
    expect(codeOf(await create(await createPool(svc), { Name: "elsewhere" }))).toBe("OK");
    await svc.ok("DeleteGroup", { UserPoolUid: pool, GroupUid: results.find((r) => codeOf(r) === "OK")!.Result.Uid });
    expect(codeOf(await create(pool, { Name: "again" }))).toBe("OK");
  });

  it("answers another account's group and pool as NotFound, and refuses readonly writes", async () => {
    const { UserPoolUid, GroupUid } = await newGroup(svc);
    const other = { key: svc.otherAdmin };
    expect(codeOf(await svc.call("GetGroup", { UserPoolUid, GroupUid }, other))).toBe("NotFound");
    expect(codeOf(await svc.call("ListGroups", { UserPoolUid }, other))).toBe("NotFound");
    expect(codeOf(await svc.call("CreateGroup", { UserPoolUid, Name: "x" }, other))).toBe("NotFound");
    expect(codeOf(await svc.call("DeleteGroup", { UserPoolUid, GroupUid }, other))).toBe("NotFound");
    const ro = { key: svc.readonly };
    expect(codeOf(await svc.call("CreateGroup", { UserPoolUid, Name: "x" }, ro))).toBe("AccessDenied");
    expect(codeOf(await svc.call("UpdateGroup", { UserPoolUid, GroupUid, Precedence: 1 }, ro))).toBe("AccessDenied");
    expect(codeOf(await svc.call("DeleteGroup", { UserPoolUid, GroupUid }, ro))).toBe("AccessDenied");
    expect(codeOf(await svc.call("GetGroup", { UserPoolUid, GroupUid }))).toBe("OK");
  });

  it.each([
    ["a missing Name", { Name: undefined }, "MissingParameter.Name"],
    ["an empty Name", { Name: " " }, "MissingParameter.Name"],
    ["a Name over 128", { Name: "n".repeat(129) }, "InvalidParameter.Name"],
    ["a Name with a control character", { Name: "a\u0007b" }, "InvalidParameter.Name"],
    ["a Description over 2048", { Description: "d".repeat(2049) }, "InvalidParameter.Description"],
    ["a fractional Precedence", { Precedence: 1.5 }, "InvalidParameter.Precedence"],
    ["a Precedence beyond 32 bits", { Precedence: 2 ** 31 }, "InvalidParameter.Precedence"],
    ["an IamRoleTrn that names no role", { IamRoleTrn: "arn:aws:iam::1:role/x" }, "InvalidParameter.IamRoleTrn"],
    ["an unknown field", { Members: [] }, "InvalidParameter.Members"],
  ])("refuses %s", async (_what, fields, code) => {
    expect(codeOf(await create(await createPool(svc), fields))).toBe(code);
  });

  it.each([
    ["an unknown NameMatchMode", { Filter: { NameMatchMode: 2 } }, "InvalidParameter.Filter.NameMatchMode"],
    ["an unknown SortField", { SortField: "Members" }, "InvalidParameter.SortField"],
    ["a PageSize over 100", { PageSize: 101 }, "InvalidParameter.PageSize"],
    ["an unknown Filter key", { Filter: { Owner: "x" } }, "InvalidParameter.Filter.Owner"],
  ])("refuses a list with %s", async (_what, params, code) => {
    expect(codeOf(await svc.call("ListGroups", { UserPoolUid: await createPool(svc), ...params }))).toBe(code);
  });

  it("goes with its pool, and a missing pool is NotFound for the pool", async () => {
    const { UserPoolUid, GroupUid } = await newGroup(svc);
    await svc.ok("DeleteUserPool", { UserPoolUid });
    const left = await svc.deps.db
      .selectFrom("groups")
      .select("uid")
      .where("account_id", "=", svc.accountId)
      .where("user_pool_uid", "=", UserPoolUid)
      .execute();
    expect(left).toEqual([]);
    const env = await svc.call("GetGroup", { UserPoolUid, GroupUid });
    expect(env.ResponseMetadata.Error).toMatchObject({ Code: "NotFound", Message: `resource UserPool ${UserPoolUid} does not exist` });
  });
});
