// Replay: a captured signed request sent again. Without strict mode it is accepted within the skew
// window and refused (InvalidTimestamp) after it; with ID_REPLAY_PROTECTION=on the exact same
// signature is refused a second time on any instance sharing the database.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSignatureLedger } from "../../src/platform/rate-limits/signatures.js";
import type { RateLimitTables } from "../../src/platform/rate-limits/queries.js";
import { startTestService, type Envelope, type TestService } from "../support/harness.js";
import { buildSigned, type RawCall } from "../support/raw.js";

let plain: TestService;
let strictA: TestService;
let strictB: TestService;

beforeAll(async () => {
  const strict = { env: { ID_REPLAY_PROTECTION: "on" } };
  [plain, strictA, strictB] = await Promise.all([startTestService(), startTestService(strict), startTestService(strict)]);
});
afterAll(async () => {
  await Promise.all([plain?.close(), strictA?.close(), strictB?.close()]);
});

type Captured = ReturnType<typeof buildSigned>;

/** Sends a captured request byte for byte to any service (Host kept as signed, as behind a balancer). */
function send(to: TestService, req: Captured): Promise<{ status: number; envelope: Envelope }> {
  const port = Number(new URL(to.url).port);
  const path = req.url.slice(req.url.indexOf("/", 8));
  return new Promise((resolve, reject) => {
    const r = request({ host: "127.0.0.1", port, path, method: req.method, headers: req.headers }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, envelope: JSON.parse(text) as Envelope }));
    });
    r.on("error", reject);
    r.end(req.body);
  });
}

const codeOf = (r: { envelope: Envelope }) => r.envelope.ResponseMetadata.Error?.Code ?? "OK";
const capture = (svc: TestService, call: RawCall = { action: "ListUserPools" }) => buildSigned(svc, call);

describe("replay without strict mode", () => {
  it("accepts a replay inside the skew window and refuses it with InvalidTimestamp after", async () => {
    const captured = capture(plain);
    expect(codeOf(await send(plain, captured))).toBe("OK");
    expect(codeOf(await send(plain, captured))).toBe("OK");
    plain.clock.advance(plain.config.maxSkewSeconds + 1);
    try {
      const late = await send(plain, captured);
      expect(late.status).toBe(403);
      expect(late.envelope.ResponseMetadata.Error).toMatchObject({ Code: "InvalidTimestamp", CodeN: 100006 });
    } finally {
      plain.clock.advance(-(plain.config.maxSkewSeconds + 1));
    }
  });
});

describe("strict replay protection (ID_REPLAY_PROTECTION=on)", () => {
  it("refuses the same signature a second time, on the same and on another instance", async () => {
    const captured = capture(strictA);
    expect(codeOf(await send(strictA, captured))).toBe("OK");
    for (const target of [strictA, strictB]) {
      const again = await send(target, captured);
      expect(again.status).toBe(403);
      expect(again.envelope.ResponseMetadata.Error).toMatchObject({
        Code: "InvalidTimestamp",
        Message: expect.stringMatching(/already used/),
      });
    }
    // A request signed afresh (another X-Date) goes through.
    const fresh = capture(strictA, { action: "ListUserPools", at: new Date(Date.now() + 1000) });
    expect(codeOf(await send(strictB, fresh))).toBe("OK");
  });

  it("lets exactly one of 20 simultaneous copies of a create through, across two instances", async () => {
    const name = `replayed-${Date.now()}`;
    const captured = capture(strictA, { action: "CreateUserPool", body: JSON.stringify({ Name: name }) });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => send(i % 2 ? strictB : strictA, captured)));
    const codes = results.map(codeOf);
    expect(codes.filter((c) => c === "OK")).toHaveLength(1);
    expect(codes.filter((c) => c === "InvalidTimestamp")).toHaveLength(19);
    const pools = await strictA.ok("ListUserPools", { Filter: { Name: name } });
    expect(pools.TotalCount).toBe(1);
    report.push(
      `strict mode: 20 simultaneous copies of one signed CreateUserPool over 2 instances -> 1 OK, ` +
        `${codes.filter((c) => c === "InvalidTimestamp").length} InvalidTimestamp, ${codes.filter((c) => c !== "OK" && c !== "InvalidTimestamp").length} other; pools created: ${pools.TotalCount}`,
    );
  });

  it("records nothing for a request whose signature does not verify", async () => {
    const forged = capture(strictA, { action: "ListUserPools", tamperSign: (input) => ({ ...input, secretKey: "not-the-secret-key" }) });
    expect(codeOf(await send(strictA, forged))).toBe("SignatureNotMatch");
    const signature = /Signature=([0-9a-f]{64})/.exec(forged.headers.Authorization)![1]!;
    const rows = await signatures().selectFrom("seen_signatures").select("signature").where("signature", "=", signature).execute();
    expect(rows).toEqual([]);
  });

  it("prunes signatures whose window has closed, opportunistically", async () => {
    const db = signatures();
    const accountId = strictA.accountId;
    await db
      .insertInto("seen_signatures")
      .values([
        { account_id: accountId, signature: `expired-${Date.now()}`, expires_at: new Date(Date.now() - 1000) },
        { account_id: accountId, signature: `live-${Date.now()}`, expires_at: new Date(Date.now() + 60_000) },
      ])
      .execute();
    let now = Date.now();
    const ledger = createSignatureLedger(strictA.deps.db, strictA.deps.log, { pruneEveryMs: 1000, now: () => now });
    now += 1001;
    expect(await ledger.firstUse({ accountId, signature: `trigger-${Date.now()}`, expiresAt: new Date(Date.now() + 60_000) })).toBe(true);
    await expect
      .poll(
        async () =>
          (
            await db
              .selectFrom("seen_signatures")
              .select("signature")
              .where("account_id", "=", accountId)
              .where("signature", "like", "expired-%")
              .execute()
          ).length,
      )
      .toBe(0);
    const live = await db
      .selectFrom("seen_signatures")
      .select("signature")
      .where("account_id", "=", accountId)
      .where("signature", "like", "live-%")
      .execute();
    expect(live).toHaveLength(1);
  });
});

const signatures = () => strictA.deps.db.withTables<RateLimitTables>();
const report: string[] = [];
afterAll(() => {
  if (report.length) console.log(`[reliability] replay (${process.env.DATABASE_URL ? "Postgres" : "PGlite"}):\n  ${report.join("\n  ")}`);
});
