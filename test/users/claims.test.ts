// OIDC claims of a user by scope (src/users/claims.ts): the standard scopes, empty values left out,
// custom attributes, groups and departments only when the pool defines the custom scope and it was granted, and
// nothing for a DISABLED, deleted or another pool's user.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimsForUser } from "../../src/users/sign-in.js";
import { startTestService, type TestService } from "../support/harness.js";
import { createCustomAttribute, createPool, uniqueName } from "../support/families/user-pools.js";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

async function fixture(customScopes: string[]) {
  const pool = await createPool(svc, { CustomScopes: customScopes });
  await createCustomAttribute(svc, pool, { Name: "plan", DataType: "String" });
  const username = uniqueName("ann");
  const user = await svc.ok("CreateUser", {
    UserPoolUid: pool,
    PreferredUsername: username,
    Email: `${username}@example.com`,
    EmailVerified: true,
    PhoneNumber: "+8613800138000",
    Name: "Ann Lee",
    GivenName: "Ann",
    Locale: "zh-CN",
    Website: "https://ann.example.com",
    CustomAttributesToUpsert: [{ Name: "plan", Value: "gold" }],
  });
  for (const name of ["staff", "admins"]) {
    const group = await svc.ok("CreateGroup", { UserPoolUid: pool, Name: `${name}-${username}` });
    await svc.ok("AddUsersToGroup", { UserPoolUid: pool, GroupUid: group.Uid, UserUids: [user.Uid] });
  }
  return { pool, uid: user.Uid as string, username, updated: Math.floor(Date.parse(user.UpdateTime) / 1000) };
}
const claims = (pool: string, uid: string, scopes: string[]) => claimsForUser(svc.deps, svc.accountId, pool, uid, scopes);

describe("claimsForUser", () => {
  it("gives sub for openid and the profile, email and phone claims for their scopes, leaving out empty values", async () => {
    const f = await fixture([]);
    expect(await claims(f.pool, f.uid, ["openid"])).toEqual({ sub: f.uid });
    expect(await claims(f.pool, f.uid, ["openid", "profile"])).toEqual({
      sub: f.uid,
      name: "Ann Lee",
      given_name: "Ann",
      preferred_username: f.username,
      website: "https://ann.example.com",
      locale: "zh-CN",
      updated_at: f.updated,
    });
    expect(await claims(f.pool, f.uid, ["openid", "email", "phone"])).toEqual({
      sub: f.uid,
      email: `${f.username}@example.com`,
      email_verified: true,
      phone_number: "+8613800138000",
      phone_number_verified: false,
    });
  });

  it("gives custom:<Name> and groups only for the pool's custom scopes of those names, when granted", async () => {
    const without = await fixture([]);
    expect(await claims(without.pool, without.uid, ["openid", "custom_attributes", "groups"])).toEqual({ sub: without.uid });
    const f = await fixture(["custom_attributes", "groups"]);
    expect(await claims(f.pool, f.uid, ["openid"])).toEqual({ sub: f.uid });
    expect(await claims(f.pool, f.uid, ["openid", "custom_attributes", "groups"])).toEqual({
      sub: f.uid,
      "custom:plan": "gold",
      groups: [`admins-${f.username}`, `staff-${f.username}`],
    });
  });

  it("gives departments (uids, the primary first) only for the pool's custom scope departments, when granted", async () => {
    const f = await fixture(["departments"]);
    const dept = async (Name: string) =>
      (await svc.ok("CreateDepartment", { UserPoolUid: f.pool, Name, ParentDepartmentUid: "0" })).Uid as string;
    const [a, b] = [await dept("A"), await dept("B")];
    // No department: no claim (an empty value is left out).
    expect(await claims(f.pool, f.uid, ["openid", "departments"])).toEqual({ sub: f.uid });
    await svc.ok("AddUsersToDepartment", { UserPoolUid: f.pool, DepartmentUid: a, UserUids: [f.uid] });
    await svc.ok("AddUsersToDepartment", { UserPoolUid: f.pool, DepartmentUid: b, UserUids: [f.uid] });
    await svc.ok("UpdateDepartmentMember", { UserPoolUid: f.pool, DepartmentUid: b, UserUid: f.uid, IsPrimary: true });
    expect(await claims(f.pool, f.uid, ["openid", "departments"])).toEqual({ sub: f.uid, departments: [b, a] });
    expect(await claims(f.pool, f.uid, ["openid"])).toEqual({ sub: f.uid });
    const without = await fixture([]);
    expect(await claims(without.pool, without.uid, ["openid", "departments"])).toEqual({ sub: without.uid });
  });

  it("gives nothing for a DISABLED, unknown or another pool's user", async () => {
    const f = await fixture([]);
    const other = await createPool(svc);
    expect(await claims(other, f.uid, ["openid"])).toBeUndefined();
    expect(await claimsForUser(svc.deps, svc.otherAdmin.accountId, f.pool, f.uid, ["openid"])).toBeUndefined();
    expect(await claims(f.pool, "nobody", ["openid"])).toBeUndefined();
    await svc.ok("UpdateUser", { UserPoolUid: f.pool, UserUid: f.uid, UserState: "DISABLED" });
    expect(await claims(f.pool, f.uid, ["openid"])).toBeUndefined();
  });
});
