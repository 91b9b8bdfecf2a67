// The shared security suite, run over every action in the registry: unsigned, malformed
// Authorization, wrong secret, stale and future X-Date, unknown and disabled key, readonly key on a
// mutating action, and another account's resource (cases supplied by each family's test support, test/support/<family>.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setAccessKeyEnabled } from "../../src/access-keys/queries.js";
import { followAccessKeyChanges } from "../../src/access-keys/key-changes.js";
import { createAccessKeyResolver } from "../../src/access-keys/resolver.js";
import { setAccessKeyEnabledAndAnnounce } from "../../src/access-keys/service.js";
import { actions } from "../../src/control-plane/registry.js";
import type { NewAccessKey } from "../../src/access-keys/service.js";
import { codeOf, startTestService, testDatabase, type TestService } from "../support/harness.js";
import { errorOf, rawCall } from "../support/raw.js";
import type { CrossAccountCase } from "../support/security-cases.js";

const familyCases = import.meta.glob<{ crossAccountCases?: CrossAccountCase[] }>("../support/families/*.ts", { eager: true });
const crossAccountCases = Object.values(familyCases).flatMap((m) => m.crossAccountCases ?? []);

const allActions = [...actions.values()];
let svc: TestService;
let disabledKey: NewAccessKey;

beforeAll(async () => {
  // One account makes a pool or more for every family's cross-account cases: more than the default quota of 100.
  svc = await startTestService({ env: { ID_QUOTA_USER_POOLS: "1000" } });
  disabledKey = await svc.newKey("admin");
  await setAccessKeyEnabled(svc.deps.db, disabledKey.accessKeyId, false);
});
afterAll(() => svc.close());

const expectError = (r: Awaited<ReturnType<typeof rawCall>>, status: number, code: string, codeN?: number) => {
  expect([r.status, errorOf(r)?.Code]).toEqual([status, code]);
  if (codeN !== undefined) expect(errorOf(r)?.CodeN).toBe(codeN);
  expect(r.envelope.Result).toBeUndefined();
};

describe.each(allActions.map((a) => [a.name, a] as const))("%s", (name, action) => {
  it("refuses an unsigned call", async () => {
    expectError(
      await rawCall(svc, { action: name, tamperHeaders: ({ Authorization: _a, ...h }) => h }),
      401,
      "MissingAuthenticationToken",
      100003,
    );
  });
  it("refuses a malformed Authorization", async () => {
    expectError(
      await rawCall(svc, { action: name, tamperHeaders: (h) => ({ ...h, Authorization: "HMAC-SHA256 Credential=broken" }) }),
      400,
      "InvalidAuthorization",
    );
  });
  it("refuses a wrong secret", async () => {
    expectError(
      await rawCall(svc, { action: name, tamperSign: (i) => ({ ...i, secretKey: i.secretKey + "x" }) }),
      401,
      "SignatureNotMatch",
      100010,
    );
  });
  it("refuses a stale and a future X-Date", async () => {
    for (const offset of [-16 * 60_000, 16 * 60_000]) {
      expectError(await rawCall(svc, { action: name, at: new Date(Date.now() + offset) }), 403, "InvalidTimestamp", 100006);
    }
  });
  it("refuses an unknown and a disabled key", async () => {
    const unknown = { accessKeyId: "AKLTunknownunknownunknown000", secretAccessKey: "whatever" };
    expectError(await rawCall(svc, { action: name, key: unknown }), 403, "InvalidAccessKeyId", 100009);
    expectError(await rawCall(svc, { action: name, key: disabledKey }), 403, "InvalidAccessKeyId", 100009);
  });
  it(action.access === "write" ? "refuses a readonly key" : "lets a readonly key through", async () => {
    const r = await rawCall(svc, { action: name, key: svc.readonly });
    if (action.access === "write") expectError(r, 403, "AccessDenied", 100013);
    else expect(errorOf(r)?.Code).not.toBe("AccessDenied");
  });
});

describe("another account's resources are NotFound", () => {
  const cases = crossAccountCases;
  it("has a cross-account case for every action that names a resource", () => {
    const covered = new Set(cases.map((c) => c.action));
    const uncovered = allActions.filter((a) => !a.accountWide && !covered.has(a.name));
    expect(uncovered.map((a) => a.name)).toEqual([]);
  });
  it.each(cases.map((c) => [c.action, c] as const))("%s", async (_name, c) => {
    const params = await c.params(svc);
    expect(codeOf(await svc.call(c.action, params, { key: svc.otherAdmin }))).toBe("NotFound");
    // ...and the owner still sees it: the refusal was about the account, not the parameters.
    if (c.action.startsWith("Get")) expect(codeOf(await svc.call(c.action, params))).toBe("OK");
  });
});

it("drops a cached key at once when its disabling is announced (the CLI's NOTIFY, or the change counter behind PgBouncer)", async () => {
  const database = await testDatabase();
  // A resolver that would otherwise trust its cache for a minute, following changes as runtime.ts does.
  const resolver = createAccessKeyResolver({ db: svc.deps.db, secretBox: svc.deps.secretBox }, { ttlMs: 60_000 });
  const follower = await followAccessKeyChanges({ database, config: svc.config, resolver, log: svc.deps.log }, { pollMs: 200 });
  try {
    const key = await svc.newKey("admin");
    expect((await resolver.resolve(key.accessKeyId))?.enabled).toBe(true);
    await setAccessKeyEnabledAndAnnounce(svc.deps.db, key.accessKeyId, false);
    await expect.poll(async () => (await resolver.resolve(key.accessKeyId))?.enabled, { timeout: 3000 }).toBe(false);
  } finally {
    await follower.stop();
  }
});
