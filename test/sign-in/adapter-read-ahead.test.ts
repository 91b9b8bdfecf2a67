// The sign-in adapter's read-ahead (src/sign-in/adapter.ts): finding a code or a token also reads
// its session and grant, and the library's next lookups of those in the same request are answered
// from that read. What is read ahead belongs to one request: another request, a second lookup, or a
// lookup after any write through the adapter goes to the database again, so a row changed or
// deleted in between is never answered stale. Requests are stood in for by context objects, as the
// library's AsyncLocalStorage hands them to provider.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapterClass } from "../../src/sign-in/adapter.js";
import { hashId } from "../../src/sign-in/artifact-payload.js";
import { startTestService, type TestService } from "../support/harness.js";
import { createPool } from "../support/families/user-pools.js";

let svc: TestService;
let poolUid: string;
let current: object | undefined;

beforeAll(async () => {
  svc = await startTestService();
  poolUid = await createPool(svc);
}, 60_000);
afterAll(async () => {
  await svc?.close();
});

function adapters() {
  const Adapter = adapterClass(
    svc.deps.db,
    svc.clock,
    { accountId: svc.accountId, poolUid },
    async () => undefined,
    () => current,
  );
  return { codes: new Adapter("AuthorizationCode"), grants: new Adapter("Grant"), sessions: new Adapter("Session") };
}

/** A session, a grant and a code referring to both, as the library stores them at sign-in. */
async function signedIn(suffix: string) {
  const { codes, grants, sessions } = adapters();
  const [sessionId, sessionUid, grantId, code] = ["session", "uid", "grant", "code"].map((p) => `${p}-${suffix}-${Math.random()}`);
  await sessions.upsert(sessionId!, { uid: sessionUid, accountId: "user-1" } as never, 600);
  await grants.upsert(grantId!, { accountId: "user-1", clientId: "client-1" } as never, 600);
  await codes.upsert(code!, { grantId, sessionUid, accountId: "user-1", clientId: "client-1" } as never, 60);
  return { sessionUid: sessionUid!, grantId: grantId!, code: code! };
}

/** Deletes a row behind the adapter's back, as another instance or request would. */
const deleteRow = (kind: string, id: string) =>
  svc.deps.db
    .deleteFrom("sign_in_artifacts")
    .where("account_id", "=", svc.accountId)
    .where("pool_uid", "=", poolUid)
    .where("kind", "=", kind)
    .where("id_hash", "=", hashId(id))
    .execute();

describe("the adapter's read-ahead", () => {
  it("answers the session and grant of a code found in the same request, once each", async () => {
    const a = await signedIn("same");
    const { codes, grants, sessions } = adapters();
    current = {};
    expect(await codes.find(a.code)).toMatchObject({ grantId: a.grantId, jti: a.code });
    // Gone from the database, still answered from what this request read with the code.
    await deleteRow("Grant", a.grantId);
    await svc.deps.db.deleteFrom("sign_in_artifacts").where("session_uid", "=", a.sessionUid).execute();
    expect(await grants.find(a.grantId)).toMatchObject({ clientId: "client-1", jti: a.grantId });
    expect(await sessions.findByUid(a.sessionUid)).toMatchObject({ uid: a.sessionUid, accountId: "user-1" });
    // Once each: a second lookup reads the database, which has neither now.
    expect(await grants.find(a.grantId)).toBeUndefined();
    expect(await sessions.findByUid(a.sessionUid)).toBeUndefined();
  });

  it("does not outlive its request: another request reads the database", async () => {
    const a = await signedIn("next");
    const { codes, grants } = adapters();
    current = {};
    await codes.find(a.code);
    await deleteRow("Grant", a.grantId);
    current = {};
    expect(await grants.find(a.grantId)).toBeUndefined();
    current = undefined; // outside any request (our own pages): nothing is read ahead or kept
    const b = await signedIn("outside");
    await codes.find(b.code);
    await deleteRow("Grant", b.grantId);
    expect(await grants.find(b.grantId)).toBeUndefined();
  });

  it("is dropped by a write in the request: a consumed code's grant is read again", async () => {
    const a = await signedIn("consume");
    const { codes, grants } = adapters();
    current = {};
    await codes.find(a.code);
    await codes.consume(a.code);
    await deleteRow("Grant", a.grantId);
    expect(await grants.find(a.grantId)).toBeUndefined();
    // The next request finds the code consumed (the library then refuses it and revokes the grant).
    current = {};
    expect(await codes.find(a.code)).toMatchObject({ consumed: expect.any(Number) });
  });

  it("answers a missing session or grant as missing: the database is asked again", async () => {
    const a = await signedIn("missing");
    await deleteRow("Grant", a.grantId);
    const { codes, grants } = adapters();
    current = {};
    await codes.find(a.code);
    expect(await grants.find(a.grantId)).toBeUndefined();
  });
});
