// Group membership end to end through the official SDK: AddUsersToGroup, RemoveUsersFromGroup,
// ChangeUsersGroup, ListUsersInGroup (both paging styles), ListGroupsForUser(s); users' GroupUids and
// ListUsers' group filters; the membership quotas under concurrency; memberships gone with their
// group, their user or their pool; typed errors, tenancy and readonly keys.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groupActions } from "../../src/groups/actions.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { groupWithMember, newGroup } from "../support/families/groups.js";
import { createPool, uniqueName } from "../support/families/user-pools.js";
import { newUser } from "../support/families/users.js";

const outputOf = (name: string) => groupActions.find((a) => a.name === name)!.output;
const MEMBERS = 5;
const GROUPS_PER_USER = 3;
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({ env: { ID_QUOTA_MEMBERS_PER_GROUP: String(MEMBERS), ID_QUOTA_GROUPS_PER_USER: String(GROUPS_PER_USER) } });
});
afterAll(() => svc.close());

/** n users in the pool, oldest first. */
async function users(pool: string, n: number): Promise<string[]> {
  const r = await svc.ok("CreateUsers", {
    UserPoolUid: pool,
    Users: Array.from({ length: n }, () => ({ Email: `${uniqueName("m")}@example.com` })),
  });
  return r.SuccessfulUids;
}
const add = (UserPoolUid: string, GroupUid: string, UserUids: string[]) => svc.call("AddUsersToGroup", { UserPoolUid, GroupUid, UserUids });
const groupUidsOf = async (UserPoolUid: string, UserUid: string) => (await svc.ok("GetUser", { UserPoolUid, UserUid })).GroupUids;
const uidsOf = (page: { Data: { Uid: string }[] }) => page.Data.map((u) => u.Uid);
const memberCount = async (UserPoolUid: string, GroupUid: string) =>
  (await svc.ok("ListGroups", { UserPoolUid, Filter: { GroupUidsOr: [GroupUid] } })).Data[0].TotalCountOfGroupMember;

describe("group membership", () => {
  it("GetUser's one-statement read answers what ListUsers' page reads show of the same user", async () => {
    const pool = await createPool(svc);
    const low = (await newGroup(svc, pool, { Precedence: 1 })).GroupUid;
    const high = (await newGroup(svc, pool, { Precedence: 9 })).GroupUid;
    const [u] = await users(pool, 1);
    expect(codeOf(await add(pool, high, [u!]))).toBe("OK");
    expect(codeOf(await add(pool, low, [u!]))).toBe("OK");
    const got = await svc.ok("GetUser", { UserPoolUid: pool, UserUid: u });
    expect(got.GroupUids).toEqual([low, high]);
    const listed = (await svc.ok("ListUsers", { UserPoolUid: pool })).Data;
    expect(listed).toHaveLength(1);
    expect(got).toEqual(listed[0]);
    // A missing user of an existing pool, and a missing pool, each answer their own NotFound.
    const noUser = await svc.call("GetUser", { UserPoolUid: pool, UserUid: "no-such-user" });
    expect([codeOf(noUser), noUser.ResponseMetadata.Error!.Message]).toEqual(["NotFound", expect.stringContaining("User no-such-user")]);
    const noPool = await svc.call("GetUser", { UserPoolUid: "no-such-pool", UserUid: u });
    expect([codeOf(noPool), noPool.ResponseMetadata.Error!.Message]).toEqual([
      "NotFound",
      expect.stringContaining("UserPool no-such-pool"),
    ]);
  });

  it("adds and removes members; GroupUids, counts and both sides' lists follow", async () => {
    const pool = await createPool(svc);
    const a = (await newGroup(svc, pool, { Precedence: 5 })).GroupUid;
    const b = (await newGroup(svc, pool, { Precedence: 1 })).GroupUid;
    const [u1, u2, u3] = await users(pool, 3);
    expect(await svc.ok("AddUsersToGroup", { UserPoolUid: pool, GroupUid: a, UserUids: [u1, u2, u1] })).toEqual({
      Message: `2 users added to group ${a}`,
    });
    expect(await svc.ok("AddUsersToGroup", { UserPoolUid: pool, GroupUid: a, UserUids: [u1] })).toEqual({
      Message: `0 users added to group ${a}`,
    });
    await svc.ok("AddUsersToGroup", { UserPoolUid: pool, GroupUid: b, UserUids: [u1] });

    // Lowest Precedence first, in every user result.
    expect(await groupUidsOf(pool, u1!)).toEqual([b, a]);
    expect((await svc.ok("UpdateUser", { UserPoolUid: pool, UserUid: u1, Nickname: "n" })).GroupUids).toEqual([b, a]);
    const listed = await svc.ok("ListUsers", { UserPoolUid: pool });
    expect(Object.fromEntries(listed.Data.map((u: { Uid: string; GroupUids: string[] }) => [u.Uid, u.GroupUids]))).toEqual({
      [u1!]: [b, a],
      [u2!]: [a],
      [u3!]: [],
    });
    expect(await memberCount(pool, a)).toBe(2);

    const inA = await svc.ok("ListUsersInGroup", { UserPoolUid: pool, GroupUid: a }, { key: svc.readonly });
    outputOf("ListUsersInGroup").parse(inA);
    expect(inA).toMatchObject({ TotalCount: 2, PageNumber: 1, PageSize: 10, NextToken: "" });
    expect(uidsOf(inA)).toEqual([u2, u1]);

    const forU1 = await svc.ok("ListGroupsForUser", { UserPoolUid: pool, UserUid: u1 }, { key: svc.readonly });
    outputOf("ListGroupsForUser").parse(forU1);
    expect(forU1.Data.map((g: { Uid: string }) => g.Uid)).toEqual([b, a]);
    expect(forU1.Data[1]).toMatchObject({ Uid: a, Precedence: 5, TotalCountOfGroupMember: 2 });
    expect(await svc.ok("ListGroupsForUser", { UserPoolUid: pool, UserUid: u3 })).toMatchObject({ Data: [], TotalCount: 0 });

    const forUsers = await svc.ok("ListGroupsForUsers", { UserPoolUid: pool, UserUids: [u3, u1, u3] }, { key: svc.readonly });
    outputOf("ListGroupsForUsers").parse(forUsers);
    expect(forUsers.Data.map((d: { UserUid: string; Groups: { Uid: string }[] }) => [d.UserUid, d.Groups.map((g) => g.Uid)])).toEqual([
      [u3, []],
      [u1, [b, a]],
    ]);

    expect(await svc.ok("RemoveUsersFromGroup", { UserPoolUid: pool, GroupUid: a, UserUids: [u1, u3] })).toEqual({
      Message: `1 users removed from group ${a}`,
    });
    expect(await groupUidsOf(pool, u1!)).toEqual([b]);
    expect(await memberCount(pool, a)).toBe(1);
  });

  it("ChangeUsersGroup leaves each user in the new group only", async () => {
    const pool = await createPool(svc);
    const [a, b, c] = [(await newGroup(svc, pool)).GroupUid, (await newGroup(svc, pool)).GroupUid, (await newGroup(svc, pool)).GroupUid];
    const [u1, u2, u3] = await users(pool, 3);
    await add(pool, a, [u1!, u3!]);
    await add(pool, b, [u1!]);
    await add(pool, c, [u2!]);
    expect(await svc.ok("ChangeUsersGroup", { UserPoolUid: pool, NewGroupUid: c, UserUids: [u1, u2] })).toEqual({
      Message: `2 users moved to group ${c}`,
    });
    expect(await groupUidsOf(pool, u1!)).toEqual([c]);
    expect(await groupUidsOf(pool, u2!)).toEqual([c]);
    expect(await groupUidsOf(pool, u3!)).toEqual([a]);
    expect([await memberCount(pool, a), await memberCount(pool, b), await memberCount(pool, c)]).toEqual([1, 0, 2]);
  });

  it("filters ListUsers by GroupUid, GroupUidsOr and NotInAnyGroup", async () => {
    const pool = await createPool(svc);
    const [a, b] = [(await newGroup(svc, pool)).GroupUid, (await newGroup(svc, pool)).GroupUid];
    const [u1, u2, u3, u4] = await users(pool, 4);
    await add(pool, a, [u1!, u2!]);
    await add(pool, b, [u2!, u3!]);
    const list = async (Filter: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
      const page = await svc.ok("ListUsers", { UserPoolUid: pool, Filter, ...extra });
      return { uids: uidsOf(page).sort(), total: page.TotalCount };
    };
    const sorted = (...u: (string | undefined)[]) => [...u].sort();
    expect(await list({ GroupUid: a })).toEqual({ uids: sorted(u1, u2), total: 2 });
    expect(await list({ GroupUidsOr: [a, b] })).toEqual({ uids: sorted(u1, u2, u3), total: 3 });
    expect(await list({ GroupUid: a, GroupUidsOr: [b] })).toEqual({ uids: [u2], total: 1 });
    expect(await list({ NotInAnyGroup: true })).toEqual({ uids: [u4], total: 1 });
    expect(await list({ NotInAnyGroup: false }, { MaxResults: 10 })).toEqual({ uids: sorted(u1, u2, u3), total: 3 });
    expect(await list({ GroupUid: a, UserUidsOr: [u1, u3] })).toEqual({ uids: [u1], total: 1 });
    expect(await list({ GroupUid: "", GroupUidsOr: [] })).toEqual({ uids: [], total: 0 });
    expect(await list({ GroupUid: "no-such-group" })).toEqual({ uids: [], total: 0 });
  });

  it("pages ListUsersInGroup by cursor and by number, TotalCount from the group's counter", async () => {
    const pool = await createPool(svc);
    const { GroupUid } = await newGroup(svc, pool);
    const outsiders = await users(pool, 3);
    const members: string[] = [];
    for (let i = 0; i < 3; i++) {
      const batch = await users(pool, MEMBERS);
      if (i === 0) await add(pool, GroupUid, batch);
      members.push(...batch);
    }
    // The group holds MEMBERS: these tests run with a small quota, so the paging covers that many.
    const inGroup = members.slice(0, MEMBERS);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await svc.ok("ListUsersInGroup", { UserPoolUid: pool, GroupUid, MaxResults: 2, ...(token ? { NextToken: token } : {}) });
      expect(page).toMatchObject({ TotalCount: MEMBERS, PageNumber: 0, PageSize: 2, MaxResults: 2 });
      seen.push(...uidsOf(page));
      token = page.NextToken || undefined;
    } while (token);
    expect(seen).toEqual([...inGroup].reverse());
    expect(seen.some((u) => outsiders.includes(u))).toBe(false);
    expect(uidsOf(await svc.ok("ListUsersInGroup", { UserPoolUid: pool, GroupUid, PageNumber: 3, PageSize: 2 }))).toEqual([inGroup[0]]);
    const filtered = await svc.ok("ListUsersInGroup", { UserPoolUid: pool, GroupUid, Filter: { UserUidsOr: [inGroup[1], outsiders[0]] } });
    expect(filtered).toMatchObject({ TotalCount: 1, Data: [{ Uid: inGroup[1], GroupUids: [GroupUid] }] });
    expect(codeOf(await svc.call("ListUsersInGroup", { UserPoolUid: pool, GroupUid, NextToken: "bm9wZQ" }))).toBe(
      "InvalidParameter.NextToken",
    );
    expect(codeOf(await svc.call("ListUsersInGroup", { UserPoolUid: pool, GroupUid, MaxResults: 2, PageSize: 2 }))).toBe(
      "InvalidParameter.NextToken",
    );
    expect(codeOf(await svc.call("ListUsersInGroup", { UserPoolUid: pool, GroupUid, SortField: "Email" }))).toBe(
      "InvalidParameter.SortField",
    );
  });

  it("refuses unknown users, groups and bad lists, all or none", async () => {
    const pool = await createPool(svc);
    const { GroupUid } = await newGroup(svc, pool);
    const [u1] = await users(pool, 1);
    const stranger = (await newUser(svc, await createPool(svc))).uid;
    const env = await add(pool, GroupUid, [u1!, "nobody"]);
    expect(env.ResponseMetadata.Error).toMatchObject({ Code: "NotFound", Message: "resource User nobody does not exist" });
    expect(codeOf(await add(pool, GroupUid, [stranger]))).toBe("NotFound");
    expect(await groupUidsOf(pool, u1!)).toEqual([]);
    expect((await add(pool, "no-group", [u1!])).ResponseMetadata.Error).toMatchObject({
      Code: "NotFound",
      Message: "resource Group no-group does not exist",
    });
    expect(codeOf(await svc.call("ChangeUsersGroup", { UserPoolUid: pool, NewGroupUid: "no-group", UserUids: [u1] }))).toBe("NotFound");
    expect(codeOf(await svc.call("RemoveUsersFromGroup", { UserPoolUid: pool, GroupUid, UserUids: ["nobody"] }))).toBe("NotFound");
    expect(codeOf(await svc.call("ListGroupsForUser", { UserPoolUid: pool, UserUid: "nobody" }))).toBe("NotFound");
    expect(codeOf(await svc.call("ListGroupsForUsers", { UserPoolUid: pool, UserUids: [u1, "nobody"] }))).toBe("NotFound");
    expect(codeOf(await add(pool, GroupUid, []))).toBe("MissingParameter.UserUids");
    expect(codeOf(await svc.call("AddUsersToGroup", { UserPoolUid: pool, GroupUid }))).toBe("MissingParameter.UserUids");
    expect(
      codeOf(
        await add(
          pool,
          GroupUid,
          Array.from({ length: 101 }, (_, i) => `u${i}`),
        ),
      ),
    ).toBe("InvalidParameter.UserUids");
    expect(codeOf(await svc.call("ListGroupsForUser", { UserPoolUid: pool, UserUid: u1, Filter: { NameMatchMode: -1 } }))).toBe(
      "InvalidParameter.Filter.NameMatchMode",
    );
    expect(
      codeOf(await svc.call("ListUsers", { UserPoolUid: pool, Filter: { GroupUidsOr: Array.from({ length: 101 }, (_, i) => `g${i}`) } })),
    ).toBe("InvalidParameter.Filter.GroupUidsOr");
    expect(codeOf(await svc.call("ListUsers", { UserPoolUid: pool, Filter: { NotInAnyGroup: "yes" } }))).toBe(
      "InvalidParameter.Filter.NotInAnyGroup",
    );
  });

  it("holds MembersPerGroup under concurrent adds, all or none", async () => {
    const pool = await createPool(svc);
    const { GroupUid } = await newGroup(svc, pool);
    const candidates = await users(pool, MEMBERS + 3);
    const codes = (await Promise.all(candidates.map((u) => add(pool, GroupUid, [u])))).map(codeOf);
    expect(codes.filter((c) => c === "OK")).toHaveLength(MEMBERS);
    expect(codes.filter((c) => c === "QuotaExceeded")).toHaveLength(3);
    expect(await memberCount(pool, GroupUid)).toBe(MEMBERS);
    const other = await newGroup(svc, pool);
    await add(pool, other.GroupUid, candidates.slice(0, MEMBERS - 1));
    expect((await add(pool, other.GroupUid, candidates.slice(MEMBERS - 1, MEMBERS + 1))).ResponseMetadata.Error).toMatchObject({
      Code: "QuotaExceeded",
      Message: "quota MembersPerGroup has reached its limit",
    });
    expect(await memberCount(pool, other.GroupUid)).toBe(MEMBERS - 1);
    const third = await newGroup(svc, pool);
    await add(pool, third.GroupUid, candidates.slice(0, MEMBERS));
    expect(
      codeOf(await svc.call("ChangeUsersGroup", { UserPoolUid: pool, NewGroupUid: third.GroupUid, UserUids: [candidates[MEMBERS]] })),
    ).toBe("QuotaExceeded");
  });

  it("holds GroupsPerUser under concurrent adds", async () => {
    const pool = await createPool(svc);
    const [u] = await users(pool, 1);
    const groups = [];
    for (let i = 0; i < GROUPS_PER_USER + 3; i++) groups.push((await newGroup(svc, pool)).GroupUid);
    const codes = (await Promise.all(groups.map((g) => add(pool, g, [u!])))).map(codeOf);
    expect(codes.filter((c) => c === "OK")).toHaveLength(GROUPS_PER_USER);
    expect(codes.filter((c) => c === "QuotaExceeded")).toHaveLength(3);
    expect(await groupUidsOf(pool, u!)).toHaveLength(GROUPS_PER_USER);
    // Moving the user into one group is always within the quota.
    await svc.ok("ChangeUsersGroup", { UserPoolUid: pool, NewGroupUid: groups[5], UserUids: [u] });
    expect(await groupUidsOf(pool, u!)).toEqual([groups[5]]);
  });

  it("removes memberships with their user, their group and their pool, in the same transaction", async () => {
    const pool = await createPool(svc);
    const [a, b] = [(await newGroup(svc, pool)).GroupUid, (await newGroup(svc, pool)).GroupUid];
    const [u1, u2, u3] = await users(pool, 3);
    await add(pool, a, [u1!, u2!, u3!]);
    await add(pool, b, [u1!, u2!]);
    const rows = () =>
      svc.deps.db
        .selectFrom("group_members")
        .select(["group_uid", "user_uid"])
        .where("account_id", "=", svc.accountId)
        .where("user_pool_uid", "=", pool)
        .execute();

    await svc.ok("DeleteUsers", { UserPoolUid: pool, UserUids: [u1, u2] });
    expect(await rows()).toEqual([{ group_uid: a, user_uid: u3 }]);
    expect([await memberCount(pool, a), await memberCount(pool, b)]).toEqual([1, 0]);

    await add(pool, b, [u3!]);
    await svc.ok("DeleteGroup", { UserPoolUid: pool, GroupUid: a });
    expect(await rows()).toEqual([{ group_uid: b, user_uid: u3 }]);
    expect(await groupUidsOf(pool, u3!)).toEqual([b]);

    await svc.ok("DeleteUserPool", { UserPoolUid: pool });
    expect(await rows()).toEqual([]);
  });

  it("keeps counters exact and never deadlocks when memberships, users and groups change at once", async () => {
    const pool = await createPool(svc);
    const groups: string[] = [];
    for (let i = 0; i < 4; i++) groups.push((await newGroup(svc, pool)).GroupUid);
    const us = await users(pool, 12);
    // Within the quotas: 4 members a group at most, 2 groups a user.
    const calls = [
      ...us.slice(0, 8).map((u, i) => () => add(pool, groups[i % 4]!, [u, us[(i + 1) % 8]!])),
      ...us.slice(8).map((u) => () => svc.call("DeleteUsers", { UserPoolUid: pool, UserUids: [u, us[0]] })),
      ...groups.map((g, i) => () => svc.call("UpdateGroup", { UserPoolUid: pool, GroupUid: g, Precedence: i + 7 })),
      ...us.slice(1, 5).map((u) => () => svc.call("UpdateUser", { UserPoolUid: pool, UserUid: u, Nickname: "busy" })),
      () => svc.call("RemoveUsersFromGroup", { UserPoolUid: pool, GroupUid: groups[0], UserUids: [us[2]] }),
      () => svc.call("ChangeUsersGroup", { UserPoolUid: pool, NewGroupUid: groups[1], UserUids: [us[3], us[5]] }),
    ];
    const codes = (await Promise.all(calls.map((c) => c()))).map(codeOf);
    // NotFound only where a call named a user another call had deleted first.
    expect(codes.filter((c) => c !== "OK" && c !== "NotFound")).toEqual([]);
    for (const g of groups) {
      const rows = await svc.deps.db
        .selectFrom("group_members")
        .select("user_uid")
        .where("account_id", "=", svc.accountId)
        .where("user_pool_uid", "=", pool)
        .where("group_uid", "=", g)
        .execute();
      expect(await memberCount(pool, g)).toBe(rows.length);
    }
  });

  it("answers another account's membership as NotFound and refuses readonly writes", async () => {
    const { UserPoolUid, GroupUid, UserUid } = await groupWithMember(svc);
    const other = { key: svc.otherAdmin };
    expect(codeOf(await svc.call("ListUsersInGroup", { UserPoolUid, GroupUid }, other))).toBe("NotFound");
    expect(codeOf(await svc.call("RemoveUsersFromGroup", { UserPoolUid, GroupUid, UserUids: [UserUid] }, other))).toBe("NotFound");
    expect(codeOf(await svc.call("ListGroupsForUsers", { UserPoolUid, UserUids: [UserUid] }, other))).toBe("NotFound");
    for (const action of ["AddUsersToGroup", "RemoveUsersFromGroup"]) {
      expect(codeOf(await svc.call(action, { UserPoolUid, GroupUid, UserUids: [UserUid] }, { key: svc.readonly }))).toBe("AccessDenied");
    }
    expect(
      codeOf(await svc.call("ChangeUsersGroup", { UserPoolUid, NewGroupUid: GroupUid, UserUids: [UserUid] }, { key: svc.readonly })),
    ).toBe("AccessDenied");
    expect(await groupUidsOf(UserPoolUid, UserUid)).toEqual([GroupUid]);
  });
});
