// A CSV import pays for its rows (issue 22, item 6): one extra rate-limit token per
// ID_RATE_LIMIT_CSV_ROWS_PER_TOKEN rows (default 100), charged before any row is written, so a
// 10,000-row import costs its caller 101 tokens rather than the one of a plain request.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { createPool } from "../support/families/user-pools.js";

let svc: TestService;
beforeAll(async () => {
  // 1 token a second, burst 40: a 2,000-row import (1 + 20) fits once, a 3,000-row one (1 + 30) not after it.
  svc = await startTestService({ env: { ID_RATE_LIMIT_PER_SECOND: "1", ID_RATE_LIMIT_BURST: "40" } });
});
afterAll(() => svc.close());

const csvOf = (prefix: string, rows: number) =>
  Buffer.from(["PreferredUsername", ...Array.from({ length: rows }, (_, i) => `${prefix}-${i}`)].join("\n"), "utf8").toString("base64");

describe("CreateUsersCSV on the rate limit", () => {
  it("charges one token per 100 rows before writing any", async () => {
    const UserPoolUid = await createPool(svc);
    const first = await svc.ok("CreateUsersCSV", { UserPoolUid, UsersCsvB64: csvOf("a", 2000) });
    expect(first.SuccessCount).toBe(2000);
    const refused = await svc.call("CreateUsersCSV", { UserPoolUid, UsersCsvB64: csvOf("b", 3000) });
    expect(codeOf(refused)).toBe("Throttling");
    expect(refused.ResponseMetadata.Error!.Message).toMatch(/importing 3000 CSV rows costs 30 request tokens/);
    // Nothing of the refused file was written.
    const users = await svc.deps.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("user_pool_uid", "=", UserPoolUid)
      .executeTakeFirstOrThrow();
    expect(Number(users.n)).toBe(2000);
  }, 120_000);
});
