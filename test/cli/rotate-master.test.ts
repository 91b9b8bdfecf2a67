// `keys rotate-master` (src/cli/rotate-master.ts), called as a function against the test database:
// every access-key secret and client secret sealed under the old master key ends up under the new
// one, in batches, while a server holding both keys keeps answering; a row changed during the
// rotation keeps its new value; a row that does not open is left alone and reported.
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { serve } from "@hono/node-server";
import { Service } from "@volcengine/openapi";
import { inject } from "vitest";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createAccessKeyResolver } from "../../src/access-keys/resolver.js";
import type { NewAccessKey } from "../../src/access-keys/service.js";
import { createApp } from "../../src/control-plane/app.js";
import { UsageError } from "../../src/cli/args.js";
import { commands } from "../../src/cli/commands.js";
import { keysRotateMaster, rotateMasterKey } from "../../src/cli/rotate-master.js";
import { generateMasterKey, keyIdOf, SecretBox } from "../../src/platform/crypto/secret-box.js";
import { findIdentityProvider } from "../../src/identity-providers/queries.js";
import { openClientSecret, sealClientSecret } from "../../src/identity-providers/secret.js";
import { createLogger } from "../../src/platform/log.js";
import { codeOf, poolerFor, REGION, startTestService, VERSION, type Envelope, type TestService } from "../support/harness.js";
import { createConnection, createPool } from "../support/families/identity-providers.js";
import { samlParams } from "../support/families/federation.js";
import { openSpPrivateKey } from "../../src/identity-providers/sp-keys.js";
import { poolSigningJwks } from "../../src/sign-in/keys.js";

let svc: TestService;
let oldKey: string;
const newKey = generateMasterKey();
const idOf = (k: string) => keyIdOf(Buffer.from(k, "base64"));
const servers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  svc = await startTestService();
  oldKey = svc.config.masterKey!;
});
afterAll(async () => {
  for (const close of servers) await close();
  await svc.close();
});

/** A second server on the same database whose master keys are `box`'s, as after a redeploy. */
async function startServerWith(box: SecretBox) {
  const deps = {
    ...svc.deps,
    secretBox: box,
    accessKeys: createAccessKeyResolver({ db: svc.deps.db, secretBox: box }, { ttlMs: 0, negativeTtlMs: 0 }),
  };
  const server = serve({ fetch: createApp(deps).fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  servers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return async (action: string, params: Record<string, unknown>, key: NewAccessKey = svc.admin) => {
    const api = new Service({
      host,
      protocol: "http:",
      region: REGION,
      serviceName: "id",
      accessKeyId: key.accessKeyId,
      secretKey: key.secretAccessKey,
    }).createAPI(action, { Version: VERSION, method: "POST", contentType: "json" });
    return (await api(params)) as unknown as Envelope;
  };
}

async function countUnder(keyId: string) {
  const db = svc.deps.db;
  const ak = await db
    .selectFrom("access_keys")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("secret_key_id", "=", keyId)
    .executeTakeFirstOrThrow();
  const idp = await db
    .selectFrom("identity_providers")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("client_secret_key_id", "=", keyId)
    .executeTakeFirstOrThrow();
  const sk = await db
    .selectFrom("pool_signing_keys")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("private_key_key_id", "=", keyId)
    .executeTakeFirstOrThrow();
  return { accessKeys: Number(ak.n), identityProviders: Number(idp.n), signingKeys: Number(sk.n) };
}

function capturedLog() {
  const lines: string[] = [];
  const log = createLogger("info", new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
  return { log, lines };
}

describe("keys rotate-master", () => {
  it("re-seals every secret under the new key in batches while a server with both keys keeps answering", async () => {
    const poolUid = await createPool(svc);
    const conns = [];
    for (let i = 0; i < 5; i++) conns.push(await createConnection(svc, poolUid, { ClientSecret: `client-secret-${i}` }));
    const publicClient = await createConnection(svc, poolUid); // no secret: nothing to re-seal
    // A SAML connection's SP private key is sealed too (and a SAML connection has no client secret).
    const saml = await svc.ok("CreateIdentityProviderSAML", await samlParams(poolUid, { EnabledSign: true }));
    // The pool's OpenID Provider signing keys (ES256 and RS256, made on first use) are sealed too.
    const jwksBefore = await poolSigningJwks(svc.deps, svc.accountId, poolUid);
    const before = await countUnder(idOf(oldKey));
    expect(before.signingKeys).toBeGreaterThanOrEqual(2);
    expect(before.identityProviders).toBeGreaterThanOrEqual(5);
    expect(before.accessKeys).toBeGreaterThanOrEqual(3);

    const both = new SecretBox(newKey, [oldKey]);
    const callBoth = await startServerWith(both);
    const ref = { UserPoolUid: poolUid, ConnectionUid: conns[0]!.ConnectionUid };
    const { log, lines } = capturedLog();
    const rotation = rotateMasterKey({ db: svc.deps.db, secretBox: both }, { fromKeyIds: [idOf(oldKey)], batchSize: 2, log });
    // Servers configured with both keys keep verifying signatures and serving throughout.
    const during = await Promise.all(Array.from({ length: 10 }, () => callBoth("GetIdentityProviderOAuth", ref)));
    const reports = await rotation;
    expect(during.map(codeOf)).toEqual(Array(10).fill("OK"));

    expect(reports.map((r) => [r.table, r.column, r.resealed, r.failed])).toEqual([
      ["access_keys", "secret_sealed", before.accessKeys, 0],
      ["identity_providers", "client_secret_sealed", before.identityProviders, 0],
      ["identity_providers", "sp_private_key_sealed", 1, 0],
      ["pool_signing_keys", "private_key_sealed", before.signingKeys, 0],
    ]);
    expect(await poolSigningJwks({ ...svc.deps, secretBox: new SecretBox(newKey) }, svc.accountId, poolUid)).toEqual(jwksBefore);
    const samlRow = await findIdentityProvider(svc.deps.db, { accountId: svc.accountId, poolUid, uid: saml.Uid });
    expect(samlRow!.sp_private_key_key_id).toBe(keyIdOf(Buffer.from(newKey, "base64")));
    expect(openSpPrivateKey(new SecretBox(newKey), samlRow!)).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(await countUnder(idOf(oldKey))).toEqual({ accessKeys: 0, identityProviders: 0, signingKeys: 0 });
    // Small batches: one progress line per batch (the last may be short or empty).
    expect(lines.filter((l) => l.includes("master key rotation progress")).length).toBeGreaterThanOrEqual(
      Math.ceil(before.identityProviders / 2),
    );
    expect(lines.join("")).not.toContain("client-secret-");
    for (const k of jwksBefore.keys) expect(lines.join("")).not.toContain(k.d!);

    // The old key can go: the new key alone opens every secret, and a server holding only it works.
    const newOnly = new SecretBox(newKey);
    for (const [i, c] of conns.entries()) {
      const row = await findIdentityProvider(svc.deps.db, { accountId: svc.accountId, poolUid, uid: c.ConnectionUid });
      expect(row!.client_secret_key_id).toBe(newOnly.currentKeyId);
      expect(openClientSecret(newOnly, row!)).toBe(`client-secret-${i}`);
    }
    const callNew = await startServerWith(newOnly);
    const got = await callNew("GetIdentityProviderOAuth", ref);
    expect(got.Result).toEqual(conns[0]!.idp); // UpdateTime unchanged: the connection itself did not change
    expect(
      codeOf(await callNew("GetIdentityProviderOAuth", { UserPoolUid: poolUid, ConnectionUid: publicClient.ConnectionUid }, svc.readonly)),
    ).toBe("OK");

    // Back to the harness's key, so its server can open this account's keys again.
    const back = await rotateMasterKey(
      { db: svc.deps.db, secretBox: new SecretBox(oldKey, [newKey]) },
      { fromKeyIds: [idOf(newKey)], batchSize: 3 },
    );
    expect(back.map((r) => r.resealed)).toEqual([before.accessKeys, before.identityProviders, 1, before.signingKeys]);
    expect(await countUnder(idOf(newKey))).toEqual({ accessKeys: 0, identityProviders: 0, signingKeys: 0 });
    expect(codeOf(await svc.call("GetIdentityProviderOAuth", ref))).toBe("OK");
  });

  it("re-reads each row under its lock: a secret changed during the rotation keeps its new value", async () => {
    const { UserPoolUid, ConnectionUid } = await createConnection(svc, undefined, { ClientSecret: "before-the-change" });
    const key = { accountId: svc.accountId, poolUid: UserPoolUid, uid: ConnectionUid };
    const both = new SecretBox(newKey, [oldKey]);
    let rotation: ReturnType<typeof rotateMasterKey> | undefined;
    await svc.deps.db.transaction().execute(async (trx) => {
      await trx
        .selectFrom("identity_providers")
        .select("uid")
        .where("account_id", "=", key.accountId)
        .where("uid", "=", key.uid)
        .forUpdate()
        .execute();
      rotation = rotateMasterKey({ db: svc.deps.db, secretBox: both }, { fromKeyIds: [idOf(oldKey)], batchSize: 50 });
      await new Promise((r) => setTimeout(r, 300)); // the rotation reaches the locked row and waits
      // A server still sealing with the old key changes the secret meanwhile.
      const row = { account_id: key.accountId, user_pool_uid: key.poolUid, uid: key.uid };
      await trx
        .updateTable("identity_providers")
        .set(sealClientSecret(svc.deps.secretBox, row, "after-the-change"))
        .where("account_id", "=", key.accountId)
        .where("uid", "=", key.uid)
        .execute();
    });
    const reports = await rotation!;
    expect(reports.every((r) => r.failed === 0)).toBe(true);
    const row = await findIdentityProvider(svc.deps.db, key);
    expect(row!.client_secret_key_id).toBe(both.currentKeyId);
    expect(openClientSecret(both, row!)).toBe("after-the-change");
    await rotateMasterKey({ db: svc.deps.db, secretBox: new SecretBox(oldKey, [newKey]) }, { fromKeyIds: [idOf(newKey)] });
    expect(codeOf(await svc.call("GetIdentityProviderOAuth", { UserPoolUid, ConnectionUid }))).toBe("OK");
  });

  it("leaves a secret that does not open where it is, reports and logs it without its content, and goes on", async () => {
    const poolUid = await createPool(svc);
    const good = await createConnection(svc, poolUid, { ClientSecret: "opens-fine" });
    const bad = await createConnection(svc, poolUid, { ClientSecret: "tampered-with" });
    const badKey = { accountId: svc.accountId, poolUid, uid: bad.ConnectionUid };
    const goodKey = { ...badKey, uid: good.ConnectionUid };
    const sealed = Buffer.from((await findIdentityProvider(svc.deps.db, badKey))!.client_secret_sealed!);
    sealed[sealed.length - 1]! ^= 0xff;
    await svc.deps.db
      .updateTable("identity_providers")
      .set({ client_secret_sealed: sealed })
      .where("account_id", "=", svc.accountId)
      .where("uid", "=", bad.ConnectionUid)
      .execute();

    const both = new SecretBox(newKey, [oldKey]);
    const { log, lines } = capturedLog();
    const reports = await rotateMasterKey({ db: svc.deps.db, secretBox: both }, { fromKeyIds: [idOf(oldKey)], batchSize: 1, log });
    const idp = reports.find((r) => r.table === "identity_providers")!;
    expect(idp.failed).toBe(1);
    expect(idp.remaining).toBeGreaterThanOrEqual(1);
    expect((await findIdentityProvider(svc.deps.db, badKey))!.client_secret_key_id).toBe(idOf(oldKey));
    expect(openClientSecret(both, (await findIdentityProvider(svc.deps.db, goodKey))!)).toBe("opens-fine");
    const errorLine = lines.find((l) => l.includes("does not open"))!;
    expect(errorLine).toContain(bad.ConnectionUid);
    expect(errorLine).not.toContain("tampered-with");
    // Running it again is harmless: nothing left to re-seal but the broken row.
    const again = await rotateMasterKey({ db: svc.deps.db, secretBox: both }, { fromKeyIds: [idOf(oldKey)] });
    expect(again.map((r) => [r.resealed, r.failed])).toEqual([
      [0, 0],
      [0, 1],
      [0, 0],
      [0, 0],
    ]);
    await rotateMasterKey({ db: svc.deps.db, secretBox: new SecretBox(oldKey, [newKey]) }, { fromKeyIds: [idOf(newKey)] });
  });

  it("is in the CLI's command table and checks its options", async () => {
    expect(commands.get("keys rotate-master")?.run).toBe(keysRotateMaster);
    await expect(keysRotateMaster(["--batch-size", "0"])).rejects.toThrow(UsageError);
    await expect(keysRotateMaster(["--bogus", "1"])).rejects.toThrow(UsageError);
  });

  it.runIf(inject("databaseUrl"))("runs as a command with the keys from the environment", async () => {
    const { UserPoolUid, ConnectionUid } = await createConnection(svc, undefined, { ClientSecret: "via-the-cli" });
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
    const env = {
      DATABASE_URL: inject("databaseUrl")!,
      DATABASE_POOLER: poolerFor(inject("databaseUrl")),
      ID_MASTER_KEY: newKey,
      ID_MASTER_KEYS_PREVIOUS: oldKey,
      LOG_LEVEL: "silent",
    };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    let code: number;
    try {
      code = await keysRotateMaster(["--batch-size", "5"]);
    } finally {
      spy.mockRestore();
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
    const text = out.join("");
    expect(text).toContain(`current master key id: ${idOf(newKey)}`);
    expect(text).toMatch(/access_keys\.secret_sealed\s+resealed [1-9]\d*\s+failed 0/);
    // The row tampered with in the test above still does not open.
    expect(text).toMatch(/identity_providers\.client_secret_sealed\s+resealed [1-9]\d*\s+failed 1/);
    // Other test files share this database under their own keys, so "remaining" decides the exit code.
    expect(code).toBe(/remaining under other keys [1-9]/.test(text) ? 1 : 0);
    const row = await findIdentityProvider(svc.deps.db, { accountId: svc.accountId, poolUid: UserPoolUid, uid: ConnectionUid });
    expect(openClientSecret(new SecretBox(newKey), row!)).toBe("via-the-cli");
    await rotateMasterKey({ db: svc.deps.db, secretBox: new SecretBox(oldKey, [newKey]) }, { fromKeyIds: [idOf(newKey)] });
  });
});
