// The protocol edge over a real server: Go-style and presigned requests, the error catalog with its
// HTTP statuses, parameter decoding, the body limit, ops endpoints and the request log line.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, startTestService, VERSION, type TestService } from "../../support/harness.js";
import { connect } from "node:net";
import { buildSigned, errorOf, rawCall } from "../../support/raw.js";
import { presignedQuery, xDateOf } from "../../support/signer.js";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ env: { ID_BODY_LIMIT_BYTES: "2048" } });
});
afterAll(() => svc.close());

describe("requests signed like the Go, Java and Python SDKs", () => {
  it("verifies host and content-type signed, spaces sent as +", async () => {
    const r = await rawCall(svc, { action: "CreateUserPool", body: JSON.stringify({ Name: "go style pool" }) });
    expect(r.status).toBe(200);
    expect(r.envelope.Result.Name).toBe("go style pool");
    expect(r.headers.get("x-request-id")).toBe(r.envelope.ResponseMetadata.RequestId);
    expect(r.envelope.ResponseMetadata).toMatchObject({ Action: "CreateUserPool", Version: VERSION, Service: "id", Region: "cn-beijing" });
    expect(r.envelope.ResponseMetadata.RequestId).toMatch(/^\d{14}[0-9A-F]{18}$/);
  });

  it("takes parameters from a query with spaces as + and repeated keys in wire order", async () => {
    const r = await rawCall(svc, {
      action: "ListUserPools",
      query: [
        ["Filter.Name", "go style"],
        ["PageSize", "5"],
      ],
      body: "",
    });
    expect(r.status).toBe(200);
    expect(r.envelope.Result.Data.map((p: { Name: string }) => p.Name)).toEqual(["go style pool"]);
    const repeated = await rawCall(svc, {
      action: "CreateUserPool",
      query: [
        ["CustomScopes", "b:x"],
        ["CustomScopes", "a:y"],
      ],
      body: JSON.stringify({ Name: "repeated" }),
    });
    expect(repeated.status).toBe(200);
    expect(repeated.envelope.Result.CustomScopes).toEqual(["b:x", "a:y"]);
  });

  it("refuses a body that does not match X-Content-Sha256", async () => {
    const r = await rawCall(svc, {
      action: "CreateUserPool",
      body: JSON.stringify({ Name: "x" }),
      tamperHeaders: (h) => ({ ...h, "X-Content-Sha256": "0".repeat(64) }),
    });
    expect([r.status, errorOf(r)?.Code, errorOf(r)?.CodeN]).toEqual([401, "SignatureNotMatch", 100010]);
  });

  it("refuses a request with two Authorization headers, whichever comes first", async () => {
    const req = buildSigned(svc, { action: "ListUserPools", body: "{}" });
    const bogus = `HMAC-SHA256 Credential=${svc.admin.accessKeyId}/20250101/cn-beijing/id/request, SignedHeaders=x-date, Signature=${"0".repeat(64)}`;
    const lines = Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`);
    const raw = `POST ${req.url.slice(svc.url.length)} HTTP/1.1\r\n${[...lines, `Authorization: ${bogus}`, "Content-Length: 2", "Connection: close"].join("\r\n")}\r\n\r\n{}`;
    const answer = await new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      const sock = connect(Number(svc.host.split(":")[1]), "127.0.0.1", () => sock.end(raw));
      sock.on("data", (d: Buffer) => chunks.push(d));
      sock.on("close", () => resolve(Buffer.concat(chunks).toString()));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(answer).toContain('"Code":"InvalidAuthorization"');
  });

  it("names the expected scope when region or service differ", async () => {
    for (const change of [{ region: "cn-shanghai" }, { service: "iam" }]) {
      const r = await rawCall(svc, {
        action: "GetUserPool",
        tamperSign: (i) => ({ ...i, ...change }),
        tamperHeaders: (h) => ({
          ...h,
          Authorization: h.Authorization!.replace("/cn-beijing/id/", `/${change.region ?? "cn-beijing"}/${change.service ?? "id"}/`),
        }),
      });
      expect(r.status).toBe(401);
      expect(errorOf(r)?.Message).toContain("cn-beijing/id/request");
    }
  });
});

describe("presigned URLs", () => {
  const presign = (at: Date, params: [string, string][], expires?: number) =>
    presignedQuery({
      query: [["Action", "ListUserPools"], ["Version", VERSION], ...params],
      accessKeyId: svc.admin.accessKeyId,
      secretKey: svc.admin.secretAccessKey,
      region: "cn-beijing",
      service: "id",
      xDate: xDateOf(at),
      ...(expires !== undefined && { expires }),
    });

  it("answers a presigned GET", async () => {
    const res = await fetch(`${svc.url}/?${presign(new Date(), [["PageSize", "3"]])}`);
    const body = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(body.Result.PageSize).toBe(3);
  });

  it("honours X-Expires and refuses an expired or tampered URL", async () => {
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    expect((await fetch(`${svc.url}/?${presign(twoHoursAgo, [], 3 * 3600)}`)).status).toBe(200);
    const expired = (await (await fetch(`${svc.url}/?${presign(twoHoursAgo, [], 3600)}`)).json()) as any;
    expect(expired.ResponseMetadata.Error.Code).toBe("InvalidTimestamp");
    const tampered = presign(new Date(), [["PageSize", "3"]]).replace("PageSize=3", "PageSize=4");
    expect(((await (await fetch(`${svc.url}/?${tampered}`)).json()) as any).ResponseMetadata.Error.Code).toBe("SignatureNotMatch");
    const tooLong = (await (await fetch(`${svc.url}/?${presign(new Date(), [], 8 * 24 * 3600)}`)).json()) as any;
    expect(tooLong.ResponseMetadata.Error.Code).toBe("InvalidAuthorization");
  });
});

describe("the error catalog", () => {
  const cases: [string, Parameters<typeof rawCall>[1], number, string][] = [
    ["no Action", { body: "{}" }, 400, "MissingAction"],
    ["an unknown Action", { action: "DropDatabase" }, 400, "InvalidAction"],
    ["no Version", { action: "GetUserPool", version: "", query: [] }, 400, "MissingParameter.Version"],
    ["another Version", { action: "GetUserPool", version: "2020-01-01" }, 400, "InvalidParameter.Version"],
    ["malformed JSON", { action: "CreateUserPool", body: '{"Name":' }, 400, "InvalidRequest"],
    ["a JSON array body", { action: "CreateUserPool", body: "[1,2]" }, 400, "InvalidRequest"],
    ["invalid UTF-8", { action: "CreateUserPool", body: Buffer.from([0x7b, 0xff, 0x7d]) }, 400, "InvalidRequest"],
    ["a body over the limit", { action: "CreateUserPool", body: JSON.stringify({ Name: "x".repeat(4096) }) }, 413, "RequestEntityTooLarge"],
    ["a missing parameter", { action: "GetUserPool", body: "{}" }, 400, "MissingParameter.UserPoolUid"],
    ["a wrongly typed parameter", { action: "GetUserPool", body: '{"UserPoolUid":{}}' }, 400, "InvalidParameter.UserPoolUid"],
    ["an unknown resource", { action: "GetUserPool", body: '{"UserPoolUid":"nope"}' }, 404, "NotFound"],
  ];
  it.each(cases)("answers %s with its status and code", async (_n, call, status, code) => {
    const r = await rawCall(svc, call);
    expect([r.status, errorOf(r)?.Code]).toEqual([status, code]);
    expect(r.envelope.Result).toBeUndefined();
    expect(r.envelope.ResponseMetadata.RequestId).toMatch(/^\d{14}[0-9A-F]{18}$/);
  });

  it("answers an unknown path with an envelope, not a bare 404", async () => {
    const res = await fetch(`${svc.url}/v1/users`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).ResponseMetadata.Error.Code).toBe("InvalidRequest");
  });

  it("refuses an oversized chunked body without a Content-Length", async () => {
    const big = "x".repeat(8192);
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const res = await fetch(`${svc.url}/?Action=CreateUserPool&Version=${VERSION}`, {
      method: "POST",
      body: stream,
      duplex: "half",
      headers: {
        Authorization: `HMAC-SHA256 Credential=${svc.admin.accessKeyId}/${xDateOf(new Date()).slice(0, 8)}/cn-beijing/id/request, SignedHeaders=x-date, Signature=${"0".repeat(64)}`,
        "X-Date": xDateOf(new Date()),
      },
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it("refuses a parameter the action does not know, at any depth, in every encoding, and creates nothing", async () => {
    const name = `unknown-${Date.now()}`;
    const cases: [Parameters<typeof rawCall>[1], string][] = [
      [{ action: "CreateUserPool", body: JSON.stringify({ Name: name, Color: "blue" }) }, "InvalidParameter.Color"],
      [
        { action: "CreateUserPool", body: JSON.stringify({ Name: name, PasswordPolicy: { MinLength: 9, MinLenght: 10 } }) },
        "InvalidParameter.PasswordPolicy.MinLenght",
      ],
      [
        { action: "CreateUserPool", body: `Name=${name}&PasswordPolicy.Colour=1`, contentType: "application/x-www-form-urlencoded" },
        "InvalidParameter.PasswordPolicy.Colour",
      ],
      [{ action: "ListUserPools", method: "GET", body: "", query: [["Filter.Nmae", "x"]] }, "InvalidParameter.Filter.Nmae"],
      [{ action: "GetUserPool", body: JSON.stringify({ UserPoolUid: "x", Deep: { Er: 1 } }) }, "InvalidParameter.Deep"],
    ];
    for (const [call, code] of cases) {
      const r = await rawCall(svc, call);
      expect([r.status, errorOf(r)?.Code]).toEqual([400, code]);
      expect(errorOf(r)?.Message).toContain("is not a parameter of this action");
    }
    const pools = await svc.ok("ListUserPools", { Filter: { Name: name } });
    expect(pools.TotalCount).toBe(0);
  });

  it("matches names case-insensitively and keeps the transport's names out of the action's", async () => {
    const r = await rawCall(svc, { action: "ListUserPools", body: JSON.stringify({ pagesize: 2, FILTER: { name: "x" } }) });
    expect([r.status, r.envelope.Result?.PageSize]).toEqual([200, 2]);
  });
});

describe("ops endpoints and logs", () => {
  it("serves healthz, readyz and openapi.yaml unsigned", async () => {
    expect((await fetch(`${svc.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${svc.url}/readyz`)).json()).toEqual({ status: "ready" });
    const yaml = await (await fetch(`${svc.url}/openapi.yaml`)).text();
    expect(yaml).toContain("operationId: CreateUserPool");
  });

  it("writes one JSON line per request with RequestId, Action, status and duration", async () => {
    const env = await svc.call("GetUserPool", { UserPoolUid: "log-line-check" });
    expect(codeOf(env)).toBe("NotFound");
    const line = svc.logs.map((l) => JSON.parse(l)).find((l) => l.requestId === env.ResponseMetadata.RequestId);
    expect(line).toMatchObject({
      action: "GetUserPool",
      status: 404,
      code: "NotFound",
      accessKeyId: svc.admin.accessKeyId,
      msg: "request",
    });
    expect(typeof line.durationMs).toBe("number");
    expect(svc.logs.join("\n")).not.toContain(svc.admin.secretAccessKey);
  });
});
