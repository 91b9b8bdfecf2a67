// One meaning for the signed bytes: a parameter named in both the signed query and the signed body
// (JSON or form) is refused with InvalidParameter.<Name>, whatever its case or nesting, instead of
// the body's value silently winning (issue 22, item 7). Parameters split between the two still work.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "../support/harness.js";
import { errorOf, rawCall } from "../support/raw.js";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

const FORM = "application/x-www-form-urlencoded";

describe("a parameter in both the query and the body", () => {
  it.each([
    { query: [["Name", "from query"]], body: JSON.stringify({ Name: "from body" }), contentType: undefined, param: "Name" },
    { query: [["name", "from query"]], body: JSON.stringify({ NAME: "from body" }), contentType: undefined, param: "NAME" },
    {
      query: [["CustomScopes.1", "a:x"]],
      body: JSON.stringify({ Name: "p", CustomScopes: ["b:y"] }),
      contentType: undefined,
      param: "CustomScopes",
    },
    { query: [["Name", "from query"]], body: "Name=from+body", contentType: FORM, param: "Name" },
    { query: [["Description", "q"]], body: "Name=p&description=b", contentType: FORM, param: "description" },
  ] as const)("is refused: $query / $body", async ({ query, body, contentType, param }) => {
    const before = (await svc.ok("ListUserPools", { PageSize: 100 })).TotalCount as number;
    const r = await rawCall(svc, {
      action: "CreateUserPool",
      query: query.map(([k, v]) => [k, v]),
      body,
      ...(contentType ? { contentType } : {}),
    });
    expect(r.status).toBe(400);
    expect(errorOf(r)).toMatchObject({ Code: `InvalidParameter.${param}` });
    expect(errorOf(r)!.Message).toContain("both the query and the body");
    expect((await svc.ok("ListUserPools", { PageSize: 100 })).TotalCount).toBe(before);
  });

  it("still takes parameters split between the two", async () => {
    const json = await rawCall(svc, {
      action: "CreateUserPool",
      query: [["Description", "from query"]],
      body: JSON.stringify({ Name: "split json" }),
    });
    expect(errorOf(json)).toBeUndefined();
    const form = await rawCall(svc, {
      action: "CreateUserPool",
      query: [["Description", "from query"]],
      body: "Name=split+form",
      contentType: FORM,
    });
    expect(errorOf(form)).toBeUndefined();
    const got = await svc.ok("GetUserPool", { UserPoolUid: (json.envelope.Result as { Uid: string }).Uid });
    expect(got).toMatchObject({ Name: "split json", Description: "from query" });
  });
});
