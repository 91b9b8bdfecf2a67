// Users' custom attribute values against the pool's definitions, end to end: the definitions made
// with CreateUserPoolCustomAttribute are the ones CreateUser and UpdateUser check values against.
import { afterAll, beforeAll, expect, it } from "vitest";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { createPool } from "../support/families/user-pools.js";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

it("checks users' values against the pool's custom attributes: type, bounds, mutability", async () => {
  const pool = await createPool(svc);
  const define = (p: Record<string, unknown>) => svc.ok("CreateUserPoolCustomAttribute", { UserPoolUid: pool, ...p });
  await define({ Name: "plan", DataType: "String", Mutability: "Mutable", Maximum: 5 });
  await define({ Name: "level", DataType: "Number", Mutability: "Mutable", Minimum: 1, Maximum: 10 });
  await define({ Name: "origin", DataType: "String", Mutability: "Immutable" });

  const user = await svc.ok("CreateUser", {
    UserPoolUid: pool,
    Email: "ca@example.com",
    CustomAttributesToUpsert: [
      { Name: "plan", Value: "gold" },
      { Name: "level", Value: "3" },
      { Name: "origin", Value: "import" },
    ],
  });
  const values = Object.fromEntries((user.CustomAttributes as { Name: string; Value: string }[]).map((a) => [a.Name, a.Value]));
  expect(values).toEqual({ plan: "gold", level: "3", origin: "import" });

  const upsert = (attrs: { Name: string; Value: string }[]) =>
    svc.call("UpdateUser", { UserPoolUid: pool, UserUid: user.Uid, CustomAttributesToUpsert: attrs });
  expect(codeOf(await upsert([{ Name: "plan", Value: "platinum" }]))).toBe("InvalidParameter.CustomAttributesToUpsert");
  expect(codeOf(await upsert([{ Name: "level", Value: "11" }]))).toBe("InvalidParameter.CustomAttributesToUpsert");
  expect(codeOf(await upsert([{ Name: "origin", Value: "changed" }]))).toBe("InvalidParameter.CustomAttributesToUpsert");
  expect(codeOf(await upsert([{ Name: "nosuch", Value: "x" }]))).toBe("InvalidParameter.CustomAttributesToUpsert");
  expect(codeOf(await upsert([{ Name: "level", Value: "7" }]))).toBe("OK");
  const after = await svc.ok("GetUser", { UserPoolUid: pool, UserUid: user.Uid });
  expect(after.CustomAttributes).toContainEqual({ Name: "level", Value: "7" });
  expect(after.CustomAttributes).toContainEqual({ Name: "origin", Value: "import" });
});
