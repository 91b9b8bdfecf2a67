// What the signature covers (docs/spec/signing.md §5, §5a; issue 10 findings 1-3 and 7): nothing unsigned may
// change what a signed request does. Presigned URLs from the official SDK's own Signer.getSignUrl,
// bodies it does not sign, unsigned control parameters, a Content-Type switched on signed bytes, and
// forged cursors: each was an attack that worked, each must now be refused with nothing changed.
import { Signer } from "@volcengine/openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, VERSION, type TestService } from "../support/harness.js";
import { errorOf, rawCall } from "../support/raw.js";
import { encode, presignedQuery, xDateOf } from "../support/signer.js";

let svc: TestService;
let poolUid: string;
let u1: string;
let u2: string;

beforeAll(async () => {
  svc = await startTestService();
  poolUid = (await svc.ok("CreateUserPool", { Name: `cover-${Date.now()}` })).Uid;
  u1 = (await svc.ok("CreateUser", { UserPoolUid: poolUid, Email: "one@example.com", Nickname: "one" })).Uid;
  u2 = (await svc.ok("CreateUser", { UserPoolUid: poolUid, Email: "two@example.com", Nickname: "two" })).Uid;
});
afterAll(() => svc.close());

/** A presigned URL exactly as the official Node SDK makes it (it always adds X-NotSignBody=). */
function sdkPresign(method: "GET" | "POST", params: Record<string, string>, at = new Date()): string {
  const signer = new Signer(
    { method, region: "cn-beijing", pathname: "/", params: { Action: params.Action!, Version: VERSION, ...params } },
    "id",
  );
  return signer.getSignUrl({ accessKeyId: svc.admin.accessKeyId, secretKey: svc.admin.secretAccessKey }, at);
}

async function send(query: string, init: { method?: string; body?: string; contentType?: string } = {}) {
  const res = await fetch(`${svc.url}/?${query}`, {
    method: init.method ?? "POST",
    ...(init.body !== undefined && { body: init.body }),
    headers: { "Content-Type": init.contentType ?? "application/json" },
  });
  return { status: res.status, body: (await res.json()) as any };
}

const getUser = async (uid: string) => svc.ok("GetUser", { UserPoolUid: poolUid, UserUid: uid });

describe("presigned requests: the body never overrides signed parameters (finding 1)", () => {
  it("answers the SDK's presigned POST as signed, with no body", async () => {
    const r = await send(sdkPresign("POST", { Action: "GetUser", UserPoolUid: poolUid, UserUid: u1 }));
    expect(r.status).toBe(200);
    expect(r.body.Result.Uid).toBe(u1);
  });

  it("refuses a presigned UpdateUser whose unsigned body names another user, and changes nobody", async () => {
    const url = sdkPresign("POST", { Action: "UpdateUser", UserPoolUid: poolUid, UserUid: u1, Nickname: "bob" });
    const attack = JSON.stringify({ UserUid: u2, Email: "attacker@example.com", EmailVerified: true, Password: "attacker password 1" });
    const r = await send(url, { body: attack });
    expect([r.status, r.body.ResponseMetadata.Error?.Code]).toEqual([400, "InvalidAuthorization"]);
    expect((await getUser(u2)).Email).toBe("two@example.com");
    expect((await getUser(u1)).Nickname).toBe("one");
  });

  it("refuses a presigned GetUser with a body naming another user", async () => {
    const r = await send(sdkPresign("POST", { Action: "GetUser", UserPoolUid: poolUid, UserUid: u1 }), {
      body: JSON.stringify({ UserUid: u2 }),
    });
    expect(r.body.ResponseMetadata.Error?.Code).toBe("InvalidAuthorization");
    expect(r.body.Result).toBeUndefined();
  });

  it("refuses an X-NotSignBody appended to a URL that signed its (empty) body", async () => {
    const signedEmptyBody = presignedQuery({
      query: [
        ["Action", "GetUser"],
        ["Version", VERSION],
        ["UserPoolUid", poolUid],
        ["UserUid", u1],
      ],
      notSignBody: false,
      method: "POST",
      accessKeyId: svc.admin.accessKeyId,
      secretKey: svc.admin.secretAccessKey,
      region: "cn-beijing",
      service: "id",
      xDate: xDateOf(new Date()),
    });
    expect((await send(signedEmptyBody)).status).toBe(200);
    const r = await send(`${signedEmptyBody}&X-NotSignBody=`, { body: JSON.stringify({ UserUid: u2 }) });
    expect(r.body.ResponseMetadata.Error?.Code).toBe("InvalidAuthorization");
    expect(r.body.ResponseMetadata.Error?.Message).toContain("X-NotSignBody");
  });

  it("refuses a parameter added to a presigned URL, new or repeating a signed one", async () => {
    const url = sdkPresign("POST", { Action: "UpdateUser", UserPoolUid: poolUid, UserUid: u1 });
    const added = await send(`${url}&Nickname=added`);
    expect(added.body.ResponseMetadata.Error?.Code).toBe("InvalidAuthorization");
    // A repeated signed name enters the canonical query twice: the HMAC no longer matches.
    const repeated = await send(`${url}&UserUid=${u2}`);
    expect(repeated.body.ResponseMetadata.Error?.Code).toBe("SignatureNotMatch");
    expect((await getUser(u1)).Nickname).toBe("one");
  });
});

describe("presigned requests: the lifetime comes from the signature (finding 2)", () => {
  const twentyMinutesAgo = () => new Date(Date.now() - 20 * 60_000);

  it("refuses an unsigned X-Expires appended to an old URL", async () => {
    const url = sdkPresign("GET", { Action: "ListUserPools" }, twentyMinutesAgo());
    expect((await send(url, { method: "GET" })).body.ResponseMetadata.Error?.Code).toBe("InvalidTimestamp");
    const r = await send(`${url}&X-Expires=604800`, { method: "GET" });
    expect([r.status, r.body.ResponseMetadata.Error?.Code]).toEqual([400, "InvalidAuthorization"]);
    expect(r.body.ResponseMetadata.Error?.Message).toContain("X-Expires");
  });

  it("honours a signed X-Expires and stops at it", async () => {
    const signed = (expires: number) =>
      presignedQuery({
        query: [
          ["Action", "ListUserPools"],
          ["Version", VERSION],
        ],
        expires,
        accessKeyId: svc.admin.accessKeyId,
        secretKey: svc.admin.secretAccessKey,
        region: "cn-beijing",
        service: "id",
        xDate: xDateOf(twentyMinutesAgo()),
      });
    expect((await send(signed(1800), { method: "GET" })).status).toBe(200);
    expect((await send(signed(600), { method: "GET" })).body.ResponseMetadata.Error?.Code).toBe("InvalidTimestamp");
  });

  it("refuses any other unsigned X- parameter", async () => {
    const url = sdkPresign("GET", { Action: "ListUserPools" });
    for (const extra of ["X-Security-Token=abc", "X-Whatever=1"]) {
      expect((await send(`${url}&${extra}`, { method: "GET" })).body.ResponseMetadata.Error?.Code).toBe("InvalidAuthorization");
    }
  });
});

describe("one meaning for the signed bytes (finding 3)", () => {
  const injection = JSON.stringify({ UserPoolUid: "", UserUid: "", Nickname: "x&UserState=DISABLED&Name=INJECTED&z=" });

  /** Signed the way the Node SDK signs: Content-Type is not among the signed headers. */
  const withoutSignedContentType = (contentType: string, body: string) =>
    rawCall(svc, {
      action: "UpdateUser",
      body,
      tamperSign: (i) => ({ ...i, headers: Object.fromEntries(Object.entries(i.headers).filter(([k]) => k !== "Content-Type")) }),
      tamperHeaders: (h) => ({ ...h, "Content-Type": contentType }),
    });

  it("refuses signed JSON bytes relabelled as a form, and changes nothing", async () => {
    const body = injection.replace('"UserPoolUid":""', `"UserPoolUid":"${poolUid}"`).replace('"UserUid":""', `"UserUid":"${u1}"`);
    const asJson = await withoutSignedContentType("application/json", body);
    expect(asJson.status).toBe(200);
    const before = await getUser(u1);
    const r = await withoutSignedContentType("application/x-www-form-urlencoded", body);
    expect([r.status, errorOf(r)?.Code]).toEqual([400, "InvalidRequest"]);
    const after = await getUser(u1);
    expect([after.UserState, after.Name, after.UpdateTime]).toEqual([before.UserState, before.Name, before.UpdateTime]);
  });

  it("refuses form bytes labelled as JSON", async () => {
    const form = `UserPoolUid=${encode(poolUid)}&UserUid=${encode(u1)}&Nickname=f`;
    const r = await withoutSignedContentType("application/json", form);
    expect([r.status, errorOf(r)?.Code]).toEqual([400, "InvalidRequest"]);
  });

  it("takes a Go-style form POST with a charset", async () => {
    const form = `UserPoolUid=${encode(poolUid)}&UserUid=${encode(u1)}&Nickname=from+go`;
    const r = await rawCall(svc, { action: "UpdateUser", body: form, contentType: "application/x-www-form-urlencoded; charset=utf-8" });
    expect(r.status).toBe(200);
    expect((await getUser(u1)).Nickname).toBe("from go");
  });
});

describe("cursors and integers are range-checked before SQL (finding 7)", () => {
  it("answers a forged NextToken past bigint with InvalidParameter.NextToken", async () => {
    for (const seq of ["9999999999999999999", "9223372036854775808"]) {
      const token = Buffer.from(`u1:${seq}`).toString("base64url");
      const r = await svc.call("ListUsers", { UserPoolUid: poolUid, NextToken: token });
      expect(r.ResponseMetadata.Error?.Code).toBe("InvalidParameter.NextToken");
    }
    const edge = Buffer.from("u1:9223372036854775807").toString("base64url");
    expect((await svc.call("ListUsers", { UserPoolUid: poolUid, NextToken: edge })).ResponseMetadata.Error).toBeUndefined();
  });
});
