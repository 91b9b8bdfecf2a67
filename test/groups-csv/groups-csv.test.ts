// Group membership by CSV through the official SDK: the template, rows by each identifier type, a
// result per row (unknown user or group, a repeated user with UniqueGroupPerUserEnabled), the
// unique mode moving users into one group, and files refused whole.
import { afterAll, beforeAll, expect, it } from "vitest";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { newGroup } from "../support/families/groups.js";
import { createPool, uniqueName } from "../support/families/user-pools.js";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const groupsOf = async (UserPoolUid: string, UserUid: string) => (await svc.ok("GetUser", { UserPoolUid, UserUid })).GroupUids;

it("adds users to groups by CSV, answering per row", async () => {
  const pool = await createPool(svc);
  const staff = await newGroup(svc, pool, { Name: "Staff" });
  const ops = await newGroup(svc, pool, { Name: "Ops" });
  const emails = [`${uniqueName("a")}@example.com`, `${uniqueName("b")}@example.com`];
  const uids: string[] = (await svc.ok("CreateUsers", { UserPoolUid: pool, Users: emails.map((Email) => ({ Email })) })).SuccessfulUids;
  const template = await svc.ok("GetUserGroupsCsvTemplate", { UserPoolUid: pool }, { key: svc.readonly });
  expect(template.Columns).toEqual(["UserIdentifier", "GroupName"]);
  const csv = `${Buffer.from(template.UserGroupsCsvB64, "base64").toString("utf8")}${emails[0]!.toUpperCase()},staff\n${emails[1]},Staff\n${emails[1]},Ops\nnobody@example.com,Staff\n${emails[0]},Nope\n`;
  const r = await svc.ok("CreateUserGroupsCsv", { UserPoolUid: pool, UserIdentifierType: "Email", UserGroupsCsvB64: b64(csv) });
  expect(r).toMatchObject({ SuccessCount: 3, FailureCount: 2 });
  expect(r.ErrorsStructured.map((e: { Index: number; Field: string; ErrorType: string }) => [e.Index, e.Field, e.ErrorType])).toEqual([
    [3, "User", "NotFound"],
    [4, "GroupName", "NotFound"],
  ]);
  expect(await groupsOf(pool, uids[0]!)).toEqual([staff.GroupUid]);
  expect((await groupsOf(pool, uids[1]!)).sort()).toEqual([staff.GroupUid, ops.GroupUid].sort());

  // Unique mode: each user once, its row's group its only group.
  const unique = await svc.ok("CreateUserGroupsCsv", {
    UserPoolUid: pool,
    UserIdentifierType: "Uid",
    UniqueGroupPerUserEnabled: true,
    UserGroupsCsvB64: b64(`UserIdentifier,GroupName\n${uids[1]},Ops\n${uids[1]},Staff\n`),
  });
  expect(unique).toMatchObject({
    SuccessCount: 1,
    FailureCount: 1,
    ErrorsStructured: [{ Index: 1, ErrorType: "Duplicated", DuplicatedUserUid: uids[1] }],
  });
  expect(await groupsOf(pool, uids[1]!)).toEqual([ops.GroupUid]);

  expect(
    codeOf(
      await svc.call("CreateUserGroupsCsv", { UserPoolUid: pool, UserIdentifierType: "Uid", UserGroupsCsvB64: b64("Who,Group\nx,y\n") }),
    ),
  ).toBe("InvalidParameter.UserGroupsCsvB64");
  expect(codeOf(await svc.call("CreateUserGroupsCsv", { UserPoolUid: pool, UserIdentifierType: "Uid", UserGroupsCsvB64: "%%%" }))).toBe(
    "InvalidParameter.UserGroupsCsvB64",
  );
  expect(
    codeOf(
      await svc.call("CreateUserGroupsCsv", {
        UserPoolUid: pool,
        UserIdentifierType: "Nickname",
        UserGroupsCsvB64: b64("UserIdentifier,GroupName\nx,y\n"),
      }),
    ),
  ).toBe("InvalidParameter.UserIdentifierType");
  expect(
    codeOf(
      await svc.call(
        "CreateUserGroupsCsv",
        { UserPoolUid: pool, UserIdentifierType: "Uid", UserGroupsCsvB64: b64(csv) },
        { key: svc.readonly },
      ),
    ),
  ).toBe("AccessDenied");
});
