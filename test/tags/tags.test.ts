// Tags of user pools through the official SDK: TagResources, UntagResources, ListTagsForResources, and
// the same tags in GetUserPool/ListUserPools (Tags, TagFilters); Volcengine's key and value rules; at
// most 50 a pool, also under concurrent writers; all or nothing across pools; tenancy; gone with the pool.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tagActions } from "../../src/tags/actions.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { POOL_RESOURCE_TYPE as RT } from "../support/families/pool-settings.js";
import { createPool, uniqueName } from "../support/families/user-pools.js";

const outputOf = (name: string) => tagActions.find((a) => a.name === name)!.output;
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

const tag = (ids: string[], Tags: unknown[], key = svc.admin) =>
  svc.call("TagResources", { ResourceType: RT, ResourceIds: ids, Tags }, { key });
const tagsOf = async (pool: string) => (await svc.ok("GetUserPool", { UserPoolUid: pool })).Tags as { Key: string; Value: string }[];
const listed = async (params: Record<string, unknown>, key = svc.admin) => {
  const r = await svc.ok("ListTagsForResources", { ResourceType: RT, ...params }, { key });
  outputOf("ListTagsForResources").parse(r);
  return r;
};
const kv = (n: number, prefix = "k") =>
  Array.from({ length: n }, (_, i) => ({ Key: `${prefix}${String(i).padStart(2, "0")}`, Value: `v${i}` }));

describe("tagging user pools", () => {
  it("tags, overwrites a value in place, lists, shows in GetUserPool and ListUserPools, and untags", async () => {
    const pool = await createPool(svc, { Tags: [{ Key: "env", Value: "dev" }] });
    const before = await svc.ok("GetUserPool", { UserPoolUid: pool });
    svc.clock.advance(5);
    const r = await tag(
      [pool],
      [{ Key: "team", Value: "idp" }, { Key: "env", Value: "prod" }, { Key: "部门", Value: "研发 2 组" }, { Key: "empty" }],
    );
    expect(codeOf(r)).toBe("OK");
    expect(r.Result).toEqual({});
    expect(await tagsOf(pool)).toEqual([
      { Key: "env", Value: "prod" },
      { Key: "team", Value: "idp" },
      { Key: "部门", Value: "研发 2 组" },
      { Key: "empty", Value: "" },
    ]);
    // Tags describe the pool; they do not change its settings' UpdateTime.
    expect((await svc.ok("GetUserPool", { UserPoolUid: pool })).UpdateTime).toBe(before.UpdateTime);

    const page = await listed({ ResourceIds: [pool] }, svc.readonly);
    expect(page).toEqual({
      ResourceTags: ["empty", "env", "team", "部门"].map((k) => ({
        ResourceId: pool,
        ResourceType: RT,
        TagKey: k,
        TagValue: { empty: "", env: "prod", team: "idp", 部门: "研发 2 组" }[k],
      })),
      NextToken: "",
    });
    const found = await svc.ok("ListUserPools", { TagFilters: [{ Key: "部门", Values: ["研发 2 组"] }], PageSize: 100 });
    expect(found.Data.map((p: { Uid: string }) => p.Uid)).toContain(pool);
    expect(found.Data.find((p: { Uid: string }) => p.Uid === pool).Tags).toHaveLength(4);

    expect(codeOf(await svc.call("UntagResources", { ResourceType: RT, ResourceIds: [pool], TagKeys: ["team", "never-had"] }))).toBe("OK");
    expect((await tagsOf(pool)).map((t) => t.Key)).toEqual(["env", "部门", "empty"]);
    expect(
      codeOf(await svc.call("UntagResources", { ResourceType: RT, ResourceIds: [pool], TagKeys: ["env"] }, { key: svc.readonly })),
    ).toBe("AccessDenied");
    expect(codeOf(await tag([pool], [{ Key: "x", Value: "y" }], svc.readonly))).toBe("AccessDenied");
  });

  it("pages by cursor over several pools, filters by tag, and refuses a forged NextToken", async () => {
    const marker = uniqueName("m");
    const a = await createPool(svc);
    const b = await createPool(svc);
    const other = await createPool(svc);
    expect(codeOf(await tag([a, b], [{ Key: "marker", Value: marker }, ...kv(3)]))).toBe("OK");
    expect(codeOf(await tag([other], kv(2)))).toBe("OK");

    const seen: { ResourceId: string; TagKey: string }[] = [];
    let token = "";
    let pages = 0;
    do {
      const page = await listed({ TagFilters: [{ Key: "marker", Values: [marker] }], MaxResults: 3, ...(token && { NextToken: token }) });
      seen.push(...page.ResourceTags);
      token = page.NextToken;
      pages++;
    } while (token && pages < 10);
    expect(pages).toBe(3);
    const sorted = [a, b].sort((x, y) => (Buffer.from(x) < Buffer.from(y) ? -1 : 1));
    expect(seen.map((t) => `${t.ResourceId}/${t.TagKey}`)).toEqual(
      sorted.flatMap((p) => ["k00", "k01", "k02", "marker"].map((k) => `${p}/${k}`)),
    );
    expect(codeOf(await svc.call("ListTagsForResources", { ResourceType: RT, NextToken: "bm90LWEtdG9rZW4" }))).toBe(
      "InvalidParameter.NextToken",
    );
  });

  it("keeps a pool at 50 tags, also under concurrent writers, and changes nothing on a refusal", async () => {
    const pool = await createPool(svc);
    expect(codeOf(await tag([pool], kv(48)))).toBe("OK");
    expect(codeOf(await tag([pool], [...kv(2, "n"), { Key: "k00", Value: "changed" }]))).toBe("OK");
    expect(codeOf(await tag([pool], [{ Key: "one-too-many", Value: "" }]))).toBe("QuotaExceeded");
    expect(await tagsOf(pool)).toHaveLength(50);
    expect((await tagsOf(pool))[0]).toEqual({ Key: "k00", Value: "changed" });

    // Ten writers of 6 new keys each: 8 fit (48), the other 2 are refused whatever the order.
    const racing = await createPool(svc);
    const results = await Promise.all(Array.from({ length: 10 }, (_, w) => tag([racing], kv(6, `w${w}-`))));
    expect(results.map(codeOf).sort()).toEqual([...Array(8).fill("OK"), "QuotaExceeded", "QuotaExceeded"]);
    expect(await tagsOf(racing)).toHaveLength(48);
  });

  it("is all or nothing across pools; another account's pool is NotFound", async () => {
    const mine = await createPool(svc);
    const theirs = await svc.ok("CreateUserPool", { Name: uniqueName("theirs") }, { key: svc.otherAdmin });
    const env = await tag([mine, theirs.Uid], [{ Key: "env", Value: "prod" }]);
    expect(env.ResponseMetadata.Error).toMatchObject({ Code: "NotFound", Message: `resource UserPool ${theirs.Uid} does not exist` });
    expect(await tagsOf(mine)).toEqual([]);
    expect(codeOf(await svc.call("UntagResources", { ResourceType: RT, ResourceIds: [theirs.Uid], TagKeys: ["env"] }))).toBe("NotFound");
    expect(codeOf(await svc.call("ListTagsForResources", { ResourceType: RT, ResourceIds: [mine, theirs.Uid] }))).toBe("NotFound");
    // The other account's own list never shows this account's tags.
    await tag([mine], [{ Key: "private", Value: "yes" }]);
    const theirList = await listed({ TagFilters: [{ Key: "private" }], MaxResults: 100 }, svc.otherAdmin);
    expect(theirList.ResourceTags.map((t: { ResourceId: string }) => t.ResourceId)).not.toContain(mine);
  });

  it("goes with its pool", async () => {
    const marker = uniqueName("gone");
    const pool = await createPool(svc);
    await tag([pool], [{ Key: "marker", Value: marker }]);
    await svc.ok("DeleteUserPool", { UserPoolUid: pool });
    expect(codeOf(await svc.call("ListTagsForResources", { ResourceType: RT, ResourceIds: [pool] }))).toBe("NotFound");
    expect((await listed({ TagFilters: [{ Key: "marker", Values: [marker] }] })).ResourceTags).toEqual([]);
    expect(codeOf(await tag([pool], [{ Key: "a", Value: "b" }]))).toBe("NotFound");
  });

  it.each([
    ["a reserved volc: key", { Tags: [{ Key: "Volc:env", Value: "x" }] }, "InvalidParameter.Tags"],
    ["a reserved sys: key", { Tags: [{ Key: "SYS:x", Value: "x" }] }, "InvalidParameter.Tags"],
    ["a key over 128 characters", { Tags: [{ Key: "k".repeat(129), Value: "" }] }, "InvalidParameter.Tags"],
    ["an empty key", { Tags: [{ Key: "", Value: "x" }] }, "Parameter.Tags"],
    ["a value over 256 characters", { Tags: [{ Key: "k", Value: "v".repeat(257) }] }, "InvalidParameter.Tags"],
    ["a character outside the set", { Tags: [{ Key: "a#b", Value: "" }] }, "InvalidParameter.Tags"],
    ["a leading space", { Tags: [{ Key: " a", Value: "" }] }, "InvalidParameter.Tags"],
    [
      "repeated keys",
      {
        Tags: [
          { Key: "a", Value: "1" },
          { Key: "a", Value: "2" },
        ],
      },
      "InvalidParameter.Tags",
    ],
    ["51 tags in one call", { Tags: kv(51) }, "InvalidParameter.Tags"],
    ["no tags", { Tags: [] }, "Parameter.Tags"],
    ["another ResourceType", { ResourceType: "instance" }, "InvalidParameter.ResourceType"],
    ["no ResourceType", { ResourceType: undefined }, "MissingParameter.ResourceType"],
    ["no ResourceIds", { ResourceIds: [] }, "Parameter.ResourceIds"],
    ["21 ResourceIds", { ResourceIds: Array.from({ length: 21 }, (_, i) => `p${i}`) }, "InvalidParameter.ResourceIds"],
    ["an unknown field", { Tags: [{ Key: "a", Value: "b", Color: "red" }] }, "InvalidParameter.Tags.Color"],
  ])("refuses %s", async (_what, fields, code) => {
    const pool = await createPool(svc);
    const env = await svc.call("TagResources", { ResourceType: RT, ResourceIds: [pool], Tags: [{ Key: "ok", Value: "ok" }], ...fields });
    // "Parameter.X": Missing or Invalid (an empty value is MissingParameter); either may name a nested field.
    const got = codeOf(env);
    expect(
      got === code ||
        got.startsWith(`${code}.`) ||
        (code.startsWith("Parameter.") && /^(Missing|Invalid)Parameter\./.test(got) && got.includes(code)),
      got,
    ).toBe(true);
    expect(await tagsOf(pool)).toEqual([]);
  });

  it("refuses bad UntagResources and ListTagsForResources input", async () => {
    const pool = await createPool(svc);
    expect(codeOf(await svc.call("UntagResources", { ResourceType: RT, ResourceIds: [pool], TagKeys: ["volc:x"] }))).toMatch(
      /^InvalidParameter\.TagKeys/,
    );
    expect(codeOf(await svc.call("UntagResources", { ResourceType: RT, ResourceIds: [pool], TagKeys: kv(51).map((t) => t.Key) }))).toMatch(
      /^InvalidParameter\.TagKeys/,
    );
    expect(codeOf(await svc.call("ListTagsForResources", { ResourceType: RT, MaxResults: 101 }))).toBe("InvalidParameter.MaxResults");
    expect(codeOf(await svc.call("ListTagsForResources", { ResourceType: RT, TagFilters: [{ Key: "sys:a" }] }))).toMatch(
      /^InvalidParameter\.TagFilters/,
    );
  });
});
