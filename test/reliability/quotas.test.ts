// Quotas under concurrent creates: 20 CreateUserPool at once, over two instances sharing the
// database, against a quota of 5. The advisory lock of src/platform/db/quota.ts must let exactly 5 through.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pageResult } from "../../src/core/schemas.js";
import { userPoolListItem } from "../../src/user-pools/schemas.js";
import { startTestService, type TestService } from "../support/harness.js";
import { createPoolsAtOnce } from "../support/infra/limits.js";

const QUOTA = 5;
let a: TestService;
let b: TestService;

beforeAll(async () => {
  const env = { ID_QUOTA_USER_POOLS: String(QUOTA) };
  [a, b] = await Promise.all([startTestService({ env }), startTestService({ env })]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

describe("quotas under concurrency", () => {
  it("20 parallel CreateUserPool at a quota of 5 give exactly 5 pools and 15 QuotaExceeded", async () => {
    const key = a.admin; // one account, served by both instances
    const codes = await createPoolsAtOnce([a, b], key, 20, "q");
    expect(codes.filter((c) => c === "OK")).toHaveLength(QUOTA);
    expect(codes.filter((c) => c === "QuotaExceeded")).toHaveLength(20 - QUOTA);
    const page = await a.ok("ListUserPools", { PageSize: 100 });
    // ListUserPools answers upstream's lean list items, not the full pool of GetUserPool.
    const list = pageResult(userPoolListItem).parse(page);
    expect(list.TotalCount).toBe(QUOTA);
    // Deleting one frees one place, and only one.
    await a.ok("DeleteUserPool", { UserPoolUid: list.Data[0]!.Uid });
    const again = await createPoolsAtOnce([b], key, 6, "r");
    expect(again.filter((c) => c === "OK")).toHaveLength(1);
    console.log(
      `[reliability] quotas (${process.env.DATABASE_URL ? "Postgres" : "PGlite"}): 20 parallel creates at quota ${QUOTA} over 2 instances -> ` +
        `${codes.filter((c) => c === "OK").length} OK, ${codes.filter((c) => c === "QuotaExceeded").length} QuotaExceeded, ` +
        `${codes.filter((c) => c !== "OK" && c !== "QuotaExceeded").length} other; pools stored ${list.TotalCount}`,
    );
  });
});
