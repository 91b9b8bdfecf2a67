// The configured root key (ID_ROOT_ACCESS_KEY_ID / ID_ROOT_SECRET_ACCESS_KEY) when instances start
// together, as a rolling deploy or a scale-out starts them: every one must come up. Before, the ones
// that lost the race to insert the key failed to start with a duplicate-key error (seen in the
// rolling-restart test as a normal user).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrapRootKey, generateAccessKeyPair } from "../../src/access-keys/service.js";
import { findAccessKey } from "../../src/access-keys/queries.js";
import { randomAccountId, startTestService, type TestService } from "../support/harness.js";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

describe("bootstrapRootKey", () => {
  it("lets eight instances starting together all find the configured key, created once", async () => {
    const pair = generateAccessKeyPair();
    const accountId = randomAccountId();
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => bootstrapRootKey(svc.deps, { accountId, accessKey: pair })));
    expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
    expect(outcomes.map((o) => (o as PromiseFulfilledResult<{ kind: string }>).value.kind)).toEqual(Array(8).fill("configured"));
    const row = await findAccessKey(svc.deps.db, pair.accessKeyId);
    expect(row).toMatchObject({ account_id: accountId, role: "admin", enabled: true });
  });
});
