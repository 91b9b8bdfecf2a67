// A user's custom attribute values are bounded together (issue 22, item 4): 16 KiB of names and
// values, so a ListUsers page of 100 users stays small however many long attributes a pool defines.
import { afterAll, beforeAll, expect, it } from "vitest";
import { MAX_CUSTOM_ATTRIBUTE_BYTES } from "../../src/users/custom-attributes.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { createPool } from "../support/families/user-pools.js";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

it("refuses values that together exceed 16 KiB, on create and on update, and lets a user shrink", async () => {
  const UserPoolUid = await createPool(svc);
  for (let i = 0; i < 10; i++)
    await svc.ok("CreateUserPoolCustomAttribute", { UserPoolUid, Name: `a${i}`, DataType: "String", Mutability: "Mutable", Maximum: 2048 });
  const full = (n: number) => Array.from({ length: n }, (_, i) => ({ Name: `a${i}`, Value: "é".repeat(2048) }));
  // Four values of 2,048 two-byte characters: 16 KiB and their names, just over.
  const tooMuch = await svc.call("CreateUser", { UserPoolUid, PreferredUsername: "big", CustomAttributesToUpsert: full(4) });
  expect(codeOf(tooMuch)).toBe("InvalidParameter.CustomAttributesToUpsert");
  expect(tooMuch.ResponseMetadata.Error!.Message).toMatch(new RegExp(`hold ${MAX_CUSTOM_ATTRIBUTE_BYTES} bytes together`));
  const user = await svc.ok("CreateUser", { UserPoolUid, PreferredUsername: "fits", CustomAttributesToUpsert: full(3) });
  expect(
    codeOf(
      await svc.call("UpdateUser", { UserPoolUid, UserUid: user.Uid, CustomAttributesToUpsert: [{ Name: "a3", Value: "é".repeat(2048) }] }),
    ),
  ).toBe("InvalidParameter.CustomAttributesToUpsert");
  await svc.ok("UpdateUser", {
    UserPoolUid,
    UserUid: user.Uid,
    CustomAttributesToUpsert: [
      { Name: "a0", Value: "" },
      { Name: "a3", Value: "short" },
    ],
  });
  const page = await svc.ok("ListUsers", { UserPoolUid, PageSize: 100 });
  expect(JSON.stringify(page).length).toBeLessThan(MAX_CUSTOM_ATTRIBUTE_BYTES);
});
