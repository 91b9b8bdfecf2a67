// ListUsers (PageNumber and keyset NextToken, filters), isolation between accounts for every action
// of the family, and concurrent writes racing DeleteUserPool, through the official SDK.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userActions } from "../../src/users/actions.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { crossAccountCases, newPool, newUser, queuedResetToken } from "../support/families/users.js";

const outputOf = (name: string) => userActions.find((a) => a.name === name)!.output;
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

describe("listing", () => {
  let pool: string;
  const created: string[] = [];
  beforeAll(async () => {
    pool = await newPool(svc);
    for (let i = 0; i < 25; i += 5) {
      const r = await svc.ok("CreateUsers", {
        UserPoolUid: pool,
        Users: [0, 1, 2, 3, 4].map((k) => ({ PreferredUsername: `list${i + k}`, ...(k === 0 && { UserState: "DISABLED" }) })),
      });
      created.push(...r.SuccessfulUids);
    }
  });

  it("walks every user once with NextToken, newest first, ending with an empty NextToken", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await svc.ok("ListUsers", { UserPoolUid: pool, MaxResults: 10, ...(token && { NextToken: token }) });
      outputOf("ListUsers").parse(page);
      expect(page.TotalCount).toBe(25);
      seen.push(...page.Data.map((u: { Uid: string }) => u.Uid));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual([...created].reverse());
  });

  it("pages by PageNumber in the same order", async () => {
    const page2 = await svc.ok("ListUsers", { UserPoolUid: pool, PageNumber: 2, PageSize: 10 });
    expect(page2).toMatchObject({ PageNumber: 2, PageSize: 10, TotalCount: 25 });
    expect(page2.Data.map((u: { Uid: string }) => u.Uid)).toEqual([...created].reverse().slice(10, 20));
    const defaults = await svc.ok("ListUsers", { UserPoolUid: pool }, { method: "GET" });
    expect(defaults).toMatchObject({ PageNumber: 1, PageSize: 10 });
  });

  it("filters by PreferredUsername (case-insensitively), UserState, Email and PhoneNumber", async () => {
    const byName = await svc.ok("ListUsers", { UserPoolUid: pool, Filter: { PreferredUsername: "LIST7" } });
    expect(byName.Data.map((u: { PreferredUsername: string }) => u.PreferredUsername)).toEqual(["list7"]);
    const disabled = await svc.ok("ListUsers", { UserPoolUid: pool, "Filter.UserState": "DISABLED", MaxResults: 3 }, { method: "GET" });
    expect(disabled.TotalCount).toBe(5);
    expect(disabled.Data).toHaveLength(3);
    expect(disabled.NextToken).not.toBe("");
    const rest = await svc.ok("ListUsers", { UserPoolUid: pool, Filter: { UserState: "DISABLED" }, NextToken: disabled.NextToken });
    expect(rest.Data).toHaveLength(2);
    expect(rest.NextToken).toBe("");
    expect((await svc.ok("ListUsers", { UserPoolUid: pool, Filter: { Email: "nobody@example.com" } })).TotalCount).toBe(0);
    expect((await svc.ok("ListUsers", { UserPoolUid: pool, Filter: { PhoneNumber: "+123" } })).Data).toEqual([]);
  });

  it("refuses a forged NextToken and mixing the two paging styles", async () => {
    expect(codeOf(await svc.call("ListUsers", { UserPoolUid: pool, NextToken: "garbage" }))).toBe("InvalidParameter.NextToken");
    expect(codeOf(await svc.call("ListUsers", { UserPoolUid: pool, NextToken: "", PageNumber: 2 }))).toBe("InvalidParameter.NextToken");
    expect(codeOf(await svc.call("ListUsers", { UserPoolUid: pool, MaxResults: 101 }))).toBe("InvalidParameter.MaxResults");
    expect(codeOf(await svc.call("ListUsers", { UserPoolUid: "nope" }))).toBe("NotFound");
  });
});

describe("isolation", () => {
  it.each(crossAccountCases.map((c) => [c.action, c] as const))("%s on another account's resource is NotFound", async (_name, c) => {
    const params = await c.params(svc);
    expect(codeOf(await svc.call(c.action, params, { key: svc.otherAdmin }))).toBe("NotFound");
    // The same params work for the owner (so the NotFound above is about the account, not the params).
    if (c.action !== "DeleteUsers") expect(codeOf(await svc.call(c.action, params))).toBe("OK");
  });
});

describe("races with DeleteUserPool", () => {
  it("concurrent user writes and a pool deletion never deadlock or fail with a 5xx", async () => {
    for (let round = 0; round < 5; round++) {
      const pool = await newPool(svc);
      const a = await newUser(svc, pool);
      const b = await newUser(svc, pool);
      await svc.ok("ResetPassword", { UserPoolUid: pool, UserUid: b.uid });
      const token = await queuedResetToken(svc, b.email);
      const envs = await Promise.all([
        svc.call("DeleteUsers", { UserPoolUid: pool, UserUids: [a.uid] }),
        svc.call("ResetPassword", { UserPoolUid: pool, UserUid: a.uid }),
        svc.call("UpdateUser", { UserPoolUid: pool, UserUid: b.uid, Nickname: `r${round}` }),
        svc.call("CompletePasswordReset", { UserPoolUid: pool, Token: token, NewPassword: "a racing password" }),
        svc.call("CreateUsers", { UserPoolUid: pool, Users: [{ Email: `late${round}@example.com` }] }),
        svc.call("DeleteUserPool", { UserPoolUid: pool }),
      ]);
      const codes = envs.map(codeOf);
      expect(codes[5]).toBe("OK");
      for (const code of codes) expect(["OK", "NotFound", "InvalidParameter.Token"]).toContain(code);
      const left = await svc.deps.db
        .selectFrom("users")
        .select("uid")
        .where("account_id", "=", svc.accountId)
        .where("user_pool_uid", "=", pool)
        .execute();
      expect(left).toEqual([]);
    }
  });
});
