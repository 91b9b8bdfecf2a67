// User pools end to end through the official Node SDK against a real server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userPoolActions } from "../../src/user-pools/actions.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";

const outputOf = (name: string) => userPoolActions.find((a) => a.name === name)!.output;
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({ env: { ID_QUOTA_USER_POOLS: "3" } });
});
afterAll(() => svc.close());

describe("user pools", () => {
  it("creates a pool with defaults and returns the whole object", async () => {
    const pool = await svc.ok("CreateUserPool", { Name: "alpha", Description: "first" });
    outputOf("CreateUserPool").parse(pool);
    expect(pool).toMatchObject({
      Name: "alpha",
      Description: "first",
      Enabled: true,
      PasswordPolicy: { MinLength: 8, RequireUppercase: false },
      ResetTokenTtlSeconds: 7200,
      TotalUsers: 0,
      Trn: `trn:id:cn-beijing:${svc.accountId}:userpool/${pool.Uid}`,
    });
    const got = await svc.ok("GetUserPool", { UserPoolUid: pool.Uid });
    // Upstream's CreateUserPool types CustomAttributes as a string; Get answers the list.
    expect(pool.CustomAttributes).toBe("[]");
    expect(got).toEqual({ ...pool, CustomAttributes: [] });
  });

  it("accepts any casing of parameter names and string-typed numbers and booleans", async () => {
    const pool = await svc.ok("CreateUserPool", { name: "casing", passwordpolicy: { MINLENGTH: "12", requireDigits: "true" } });
    expect(pool.PasswordPolicy).toMatchObject({ MinLength: 12, RequireDigits: true });
    await svc.ok("DeleteUserPool", { userpooluid: pool.Uid });
  });

  it("refuses a duplicate name with Duplicated", async () => {
    await svc.ok("CreateUserPool", { Name: "dup" });
    const env = await svc.call("CreateUserPool", { Name: "dup" });
    expect(codeOf(env)).toBe("Duplicated");
    expect(env.ResponseMetadata.Error!.Message).toContain("already exists");
  });

  it("lists with paging and Filter.Name, through GET and form bodies too", async () => {
    await svc.ok("CreateUserPool", { Name: "gamma" });
    const page = await svc.ok("ListUserPools", { PageSize: 1, PageNumber: 1 });
    outputOf("ListUserPools").parse(page);
    expect(page.Data).toHaveLength(1);
    expect(page.TotalCount).toBe(3);
    const filtered = await svc.ok("ListUserPools", { "Filter.Name": "ALP" }, { method: "GET" });
    expect(filtered.Data.map((p: { Name: string }) => p.Name)).toEqual(["alpha"]);
    const form = await svc.ok("ListUserPools", { PageSize: "2", PageNumber: "2" }, { contentType: "urlencode" });
    expect(form).toMatchObject({ PageNumber: 2, PageSize: 2, TotalCount: 3 });
    expect(form.Data).toHaveLength(1);
    // The count rides on the page's rows; a page past the end has none and still says how many there are.
    const past = await svc.ok("ListUserPools", { PageSize: 2, PageNumber: 5 });
    expect(past).toMatchObject({ Data: [], PageNumber: 5, PageSize: 2, TotalCount: 3 });
    // A filter's parameters bind in the page and in its count alike.
    const one = await svc.ok("ListUserPools", { PageSize: 1, PageNumber: 1, Filter: { Name: "a" } });
    expect(one).toMatchObject({ PageNumber: 1, PageSize: 1, TotalCount: 2 }); // alpha and gamma
    expect(one.Data).toHaveLength(1);
  });

  it("enforces the per-account quota with QuotaExceeded", async () => {
    const env = await svc.call("CreateUserPool", { Name: "one-too-many" });
    expect(codeOf(env)).toBe("QuotaExceeded");
  });

  it("updates only the given fields and merges PasswordPolicy", async () => {
    const { Data } = await svc.ok("ListUserPools", { Filter: { Name: "alpha" } });
    const uid = Data[0].Uid;
    const updated = await svc.ok("UpdateUserPool", {
      UserPoolUid: uid,
      PasswordPolicy: { RequireSymbols: true },
      CustomScopes: ["read:things"],
    });
    expect(updated).toMatchObject({
      Name: "alpha",
      Description: "first",
      PasswordPolicy: { MinLength: 8, RequireSymbols: true },
      CustomScopes: ["read:things"],
    });
    const renamed = await svc.ok("UpdateUserPool", { UserPoolUid: uid, Name: "alpha2" });
    expect(renamed).toMatchObject({ Name: "alpha2", PasswordPolicy: { RequireSymbols: true } });
    expect(codeOf(await svc.call("UpdateUserPool", { UserPoolUid: uid, Name: "dup" }))).toBe("Duplicated");
  });

  it("enables and disables a pool", async () => {
    const { Data } = await svc.ok("ListUserPools", { Filter: { Name: "dup" } });
    const msg = await svc.ok("UpdateEnableUserPool", { UserPoolUid: Data[0].Uid, Enabled: false });
    expect(msg.Message).toMatch(/disabled/);
    expect((await svc.ok("GetUserPool", { UserPoolUid: Data[0].Uid })).Enabled).toBe(false);
    await svc.ok("UpdateEnableUserPool", { UserPoolUid: Data[0].Uid, Enabled: "true" });
    expect((await svc.ok("GetUserPool", { UserPoolUid: Data[0].Uid })).Enabled).toBe(true);
  });

  it("deletes a pool; afterwards it is NotFound", async () => {
    const { Data } = await svc.ok("ListUserPools", { Filter: { Name: "dup" } });
    await svc.ok("DeleteUserPool", { UserPoolUid: Data[0].Uid });
    expect(codeOf(await svc.call("GetUserPool", { UserPoolUid: Data[0].Uid }))).toBe("NotFound");
    expect(codeOf(await svc.call("DeleteUserPool", { UserPoolUid: Data[0].Uid }))).toBe("NotFound");
  });

  it("validates parameters with typed errors", async () => {
    expect(codeOf(await svc.call("CreateUserPool", { Name: "  " }))).toBe("MissingParameter.Name");
    expect(codeOf(await svc.call("CreateUserPool", { Name: "x".repeat(129) }))).toBe("InvalidParameter.Name");
    expect(codeOf(await svc.call("CreateUserPool", { Name: "v", PasswordPolicy: { MinLength: 3 } }))).toBe(
      "InvalidParameter.PasswordPolicy.MinLength",
    );
    expect(codeOf(await svc.call("CreateUserPool", { Name: "v", ResetPasswordUrl: "not a url" }))).toBe(
      "InvalidParameter.ResetPasswordUrl",
    );
    expect(codeOf(await svc.call("CreateUserPool", { Name: "v", CustomScopes: ["a", "a"] }))).toBe("InvalidParameter.CustomScopes");
    expect(codeOf(await svc.call("GetUserPool", {}))).toBe("MissingParameter.UserPoolUid");
    expect(codeOf(await svc.call("UpdateEnableUserPool", { UserPoolUid: "x", Enabled: "maybe" }))).toBe("InvalidParameter.Enabled");
  });

  it("requires an https ResetPasswordUrl, http only on a loopback host (issue 10, finding 9)", async () => {
    const uid = (await svc.ok("ListUserPools", {})).Data[0].Uid;
    for (const url of [
      "http://evil.example.com/reset",
      "http://localhost.evil.example/reset",
      "http://127.0.0.1.nip.io/reset",
      "https://u:p@app.example.com/reset",
      "ftp://app.example.com/reset",
    ]) {
      expect([url, codeOf(await svc.call("CreateUserPool", { Name: "insecure", ResetPasswordUrl: url }))]).toEqual([
        url,
        "InvalidParameter.ResetPasswordUrl",
      ]);
      expect([url, codeOf(await svc.call("UpdateUserPool", { UserPoolUid: uid, ResetPasswordUrl: url }))]).toEqual([
        url,
        "InvalidParameter.ResetPasswordUrl",
      ]);
    }
    for (const url of [
      "https://app.example.com/reset?lang=en",
      "http://localhost:3000/reset",
      "http://127.0.0.1:8080/reset",
      "http://[::1]/reset",
    ]) {
      expect((await svc.ok("UpdateUserPool", { UserPoolUid: uid, ResetPasswordUrl: url })).ResetPasswordUrl).toBe(url);
    }
  });

  it("never shows one account's pools to another", async () => {
    const { Data } = await svc.ok("ListUserPools", {});
    const other = await svc.ok("ListUserPools", {}, { key: svc.otherAdmin });
    expect(other.TotalCount).toBe(0);
    expect(codeOf(await svc.call("GetUserPool", { UserPoolUid: Data[0].Uid }, { key: svc.otherAdmin }))).toBe("NotFound");
    expect(codeOf(await svc.call("DeleteUserPool", { UserPoolUid: Data[0].Uid }, { key: svc.otherAdmin }))).toBe("NotFound");
  });
});
