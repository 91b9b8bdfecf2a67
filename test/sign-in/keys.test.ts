// Pool signing keys (src/sign-in/keys.ts) against the real database: made once under concurrency on
// two instances, ES256 current first, usable with jose; rotation keeps the previous public keys
// published for the documented bound and housekeeping retires them after; the CLI command; and the
// private half in no view, log line, command output or unsealed column.
import { importJWK, jwtVerify, SignJWT, createLocalJWKSet, type JWK } from "jose";
import { inject, vi } from "vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keysRotateSigning } from "../../src/cli/signing-keys.js";
import { commands } from "../../src/cli/commands.js";
import { UsageError } from "../../src/cli/args.js";
import { purgeOnce } from "../../src/platform/housekeeping/worker.js";
import { poolSigningJwks, poolSigningKeys, PUBLISHED_AFTER_RETIREMENT_SECONDS, rotatePoolSigningKey, signingKeyPurges } from "../../src/sign-in/keys.js";
import { connectTestDatabase, poolerFor, startTestService, TestClock, type TestService } from "../support/harness.js";
import { createPool } from "../support/families/user-pools.js";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

const jwks = (pool: string, deps = svc.deps) => poolSigningJwks(deps, svc.accountId, pool);
const rowsOf = (pool: string) =>
  svc.deps.db.selectFrom("pool_signing_keys").selectAll().where("account_id", "=", svc.accountId).where("user_pool_uid", "=", pool).execute();
const publicOf = ({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub }: JWK) => pub;

/** Signs a token with the pool's first key of `alg` and verifies it against the public keys alone. */
async function signsAndVerifies(pool: string, alg: "ES256" | "RS256") {
  const set = await jwks(pool);
  const key = set.keys.find((k) => k.alg === alg)!;
  const token = await new SignJWT({ sub: "u1" }).setProtectedHeader({ alg, kid: key.kid }).sign(await importJWK(key, alg));
  const published = createLocalJWKSet({ keys: (await poolSigningKeys(svc.deps, svc.accountId, pool)).map((k) => k.publicJwk) });
  return (await jwtVerify(token, published)).protectedHeader.kid;
}

describe("poolSigningJwks", () => {
  it("makes one key per algorithm under 16 concurrent first uses on two instances, the same for every caller", async () => {
    const pool = await createPool(svc);
    const second = await connectTestDatabase(undefined, 3);
    try {
      const other = { ...svc.deps, db: second.db };
      const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => jwks(pool, i % 2 ? other : svc.deps)));
      const rows = await rowsOf(pool);
      expect(rows.map((r) => r.alg).sort()).toEqual(["ES256", "RS256"]);
      for (const a of answers) expect(a).toEqual(answers[0]);
      expect(answers[0]!.keys.map((k) => [k.alg, k.use])).toEqual([["ES256", "sig"], ["RS256", "sig"]]);
      // A private JWK set, as oidc-provider's `jwks` option takes it.
      expect(answers[0]!.keys.every((k) => typeof k.d === "string")).toBe(true);
      expect(await jwks(pool)).toEqual(answers[0]);
    } finally {
      await second.close();
    }
  });

  it("signs ES256 and RS256 tokens that the published public keys verify", async () => {
    const pool = await createPool(svc);
    const set = await jwks(pool);
    expect(await signsAndVerifies(pool, "ES256")).toBe(set.keys[0]!.kid);
    expect(await signsAndVerifies(pool, "RS256")).toBe(set.keys[1]!.kid);
  });

  it("is NotFound for a pool that does not exist, and another account's pool has its own keys", async () => {
    await expect(jwks("no-such-pool")).rejects.toMatchObject({ code: "NotFound" });
    const pool = await createPool(svc);
    await expect(poolSigningJwks(svc.deps, svc.otherAdmin.accountId, pool)).rejects.toMatchObject({ code: "NotFound" });
  });
});

describe("rotatePoolSigningKey", () => {
  it("signs with new keys at once, keeps the previous public keys published for the bound, then housekeeping retires them", async () => {
    const pool = await createPool(svc);
    const clock = new TestClock();
    const deps = { ...svc.deps, clock };
    const before = await jwks(pool, deps);
    const result = await rotatePoolSigningKey(deps, svc.accountId, pool);
    expect(result.retired.map((k) => k.kid).sort()).toEqual(before.keys.map((k) => k.kid).sort());
    const after = await jwks(pool, deps);
    // New keys first (the ones oidc-provider signs with), the previous ones after them.
    expect(after.keys.map((k) => k.kid)).toEqual([...result.current.map((k) => k.kid), ...before.keys.map((k) => k.kid)]);
    expect(after.keys.slice(0, 2).map((k) => k.alg)).toEqual(["ES256", "RS256"]);
    expect(PUBLISHED_AFTER_RETIREMENT_SECONDS).toBe(30 * 24 * 3600 + 300);
    for (const k of result.retired) expect(k.publishUntil.getTime() - clock.now().getTime()).toBeGreaterThan((PUBLISHED_AFTER_RETIREMENT_SECONDS - 60) * 1000);
    // A token signed by a previous key still verifies against what is published.
    const published = createLocalJWKSet({ keys: (await poolSigningKeys(deps, svc.accountId, pool)).map((k) => k.publicJwk) });
    const oldKey = before.keys[0]!;
    const token = await new SignJWT({}).setProtectedHeader({ alg: "ES256", kid: oldKey.kid }).sign(await importJWK(oldKey, "ES256"));
    expect((await jwtVerify(token, published)).protectedHeader.kid).toBe(oldKey.kid);
    // Past the bound, the JWKS leaves them out, and housekeeping deletes them a day later.
    clock.advance(PUBLISHED_AFTER_RETIREMENT_SECONDS + 1);
    expect((await jwks(pool, deps)).keys.map((k) => k.kid)).toEqual(result.current.map((k) => k.kid));
    expect((await rowsOf(pool)).length).toBe(4);
    await purgeOnce(svc.deps.db, new Date(clock.now().getTime() + 2 * 24 * 3600 * 1000), signingKeyPurges);
    expect((await rowsOf(pool)).map((r) => r.kid).sort()).toEqual(result.current.map((k) => k.kid).sort());
  });

  it("is NotFound for a pool that does not exist", async () => {
    await expect(rotatePoolSigningKey(svc.deps, svc.accountId, "no-such-pool")).rejects.toMatchObject({ code: "NotFound" });
  });
});

describe("the private half", () => {
  it("is in no view, log line or column in the clear", async () => {
    const pool = await createPool(svc);
    const set = await jwks(pool);
    await rotatePoolSigningKey(svc.deps, svc.accountId, pool);
    const secrets = set.keys.map((k) => k.d!);
    const views = JSON.stringify(await poolSigningKeys(svc.deps, svc.accountId, pool));
    const rows = await rowsOf(pool);
    const stored = rows.map((r) => JSON.stringify(r.public_jwk) + Buffer.from(r.private_key_sealed).toString("latin1")).join("");
    for (const d of secrets) {
      expect(views).not.toContain(d);
      expect(stored).not.toContain(d);
      expect(svc.logs.join("")).not.toContain(d);
    }
    expect(rows.every((r) => r.public_jwk.d === undefined && r.private_key_key_id === svc.deps.secretBox.currentKeyId)).toBe(true);
    expect(set.keys.map(publicOf)).toEqual((await poolSigningKeys(svc.deps, svc.accountId, pool)).slice(2).map((k) => k.publicJwk));
  });
});

describe("keys rotate-signing", () => {
  it("is in the CLI's command table and checks its options", async () => {
    expect(commands.get("keys rotate-signing")?.run).toBe(keysRotateSigning);
    await expect(keysRotateSigning(["--pool", "p"])).rejects.toThrow(UsageError);
    await expect(keysRotateSigning(["--account", "1"])).rejects.toThrow(UsageError);
    await expect(keysRotateSigning(["--account", "x", "--pool", "p"])).rejects.toThrow(UsageError);
  });

  it.runIf(inject("databaseUrl"))("rotates a pool's keys as a command, printing key ids and never a private key", async () => {
    const pool = await createPool(svc);
    const before = await jwks(pool);
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
    const env = { DATABASE_URL: inject("databaseUrl")!, DATABASE_POOLER: poolerFor(inject("databaseUrl")), ID_MASTER_KEY: svc.config.masterKey!, LOG_LEVEL: "silent" };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      expect(await keysRotateSigning(["--account", svc.accountId, "--pool", pool])).toBe(0);
    } finally {
      spy.mockRestore();
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
    const text = out.join("");
    for (const k of before.keys) {
      expect(text).toMatch(new RegExp(`retired:\\s+${k.alg} ${k.kid}, published until `));
      expect(text).not.toContain(k.d!);
    }
    const now = await jwks(pool);
    expect(now.keys.length).toBe(4);
    expect(now.keys.slice(2).map((k) => k.kid)).toEqual(before.keys.map((k) => k.kid));
    expect(text).toContain(`signing now:  ES256 ${now.keys[0]!.kid}`);
  });
});

