// Presigned requests under docs/spec/signing.md §5 and §5a (issue 10, findings 1-3), through the real app
// pipeline (createApp) with an in-memory key resolver and a test action that echoes its parameters:
// nothing unsigned may change what a signed request does.

import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { AnyAction } from "../../../../src/core/action.js";
import { createApp } from "../../../../src/control-plane/app.js";
import { loadConfig } from "../../../../src/platform/config.js";
import type { AppDeps } from "../../../../src/deps.js";
import { createLogger } from "../../../../src/platform/log.js";
import { canonicalQuery, encode, sha256hex, signature, xDateOf } from "../../../support/signer.js";
import { admin, clock, memoryResolver, NOW, signedRequest } from "../../../support/unit/edge.js";

const echo: AnyAction = {
  name: "Echo",
  access: "read",
  errors: [],
  summary: "",
  output: z.unknown(),
  input: z.object({
    Name: z.string().optional(),
    UserUid: z.string().optional(),
    Nickname: z.string().optional(),
    UserState: z.string().optional(),
  }),
  handler: async (params) => ({ params }),
};
const deps = {
  config: { ...loadConfig({}), rateLimit: { perSecond: 0, burst: 1 }, replayProtection: false },
  accessKeys: memoryResolver([admin]).resolver,
  log: createLogger("silent"),
  clock,
} as unknown as AppDeps;
const app = createApp(deps, { registry: new Map([["Echo", echo]]) });

interface Presign {
  params: [string, string][];
  method?: string;
  /** sign X-NotSignBody (the SDK's getSignUrl always does), or the body's hash */
  notSignBody?: boolean;
  body?: string;
  expires?: number;
  /** pairs appended after signing, outside X-SignedQueries */
  unsigned?: [string, string][];
  contentType?: string;
}

/** A presigned request signed by the independent test signer, X-SignedQueries listing what it covers. */
async function presigned(p: Presign) {
  const method = p.method ?? "POST";
  const body = p.body ?? "";
  const pairs: [string, string][] = [
    ["Action", "Echo"],
    ["Version", "2025-10-30"],
    ...p.params,
    ["X-Algorithm", "HMAC-SHA256"],
    ["X-Credential", `${admin.accessKeyId}/${xDateOf(NOW).slice(0, 8)}/cn-beijing/id/request`],
    ["X-Date", xDateOf(NOW)],
    ["X-SignedHeaders", ""],
    ...(p.notSignBody !== false ? ([["X-NotSignBody", ""]] as [string, string][]) : []),
    ...(p.expires !== undefined ? ([["X-Expires", String(p.expires)]] as [string, string][]) : []),
  ];
  const bodyHash = p.notSignBody !== false ? sha256hex("") : sha256hex(body);
  const canonical = [method, "/", canonicalQuery(pairs), "\n", "", bodyHash].join("\n");
  const sig = signature({ secretKey: admin.secret, region: "cn-beijing", service: "id", xDate: xDateOf(NOW) } as never, canonical);
  const all: [string, string][] = [
    ...pairs,
    ["X-SignedQueries", [...new Set(pairs.map(([k]) => k))].sort().join(";")],
    ["X-Signature", sig],
    ...(p.unsigned ?? []),
  ];
  const url = `http://id.example/?${all.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&")}`;
  const headers = p.contentType ? { "Content-Type": p.contentType } : undefined;
  const res = await app.request(new Request(url, { method, body: method === "GET" ? undefined : body, headers }));
  const json = (await res.json()) as {
    ResponseMetadata: { Error?: { Code: string; Message: string } };
    Result?: { params: Record<string, unknown> };
  };
  return {
    status: res.status,
    code: json.ResponseMetadata.Error?.Code,
    message: json.ResponseMetadata.Error?.Message,
    params: json.Result?.params,
  };
}

describe("presigned requests: the signed query", () => {
  it("answers a presigned GET and POST from the signed query", async () => {
    expect(await presigned({ method: "GET", params: [["Name", "n"]] })).toMatchObject({ status: 200, params: { Name: "n" } });
    expect(await presigned({ params: [["Name", "n"]] })).toMatchObject({ status: 200, params: { Name: "n" } });
  });
  it("refuses a parameter from outside X-SignedQueries, and a second value of a signed name breaks the signature", async () => {
    const r = await presigned({ params: [["UserUid", "u1"]], unsigned: [["Name", "injected"]] });
    expect([r.status, r.code]).toEqual([400, "InvalidAuthorization"]);
    const doubled = await presigned({ params: [["UserUid", "u1"]], unsigned: [["UserUid", "u2"]] });
    expect([doubled.status, doubled.code]).toEqual([401, "SignatureNotMatch"]);
  });
  it("takes the parameters of a signed body", async () => {
    const r = await presigned({ params: [], notSignBody: false, body: `{"Name":"signed"}` });
    expect(r).toMatchObject({ status: 200, params: { Name: "signed" } });
  });
  it("refuses form bytes sent as JSON (§5a)", async () => {
    const r = await app.request(signedRequest({ action: "Echo", body: "Name=x&UserState=DISABLED", contentType: "application/json" }));
    expect(((await r.json()) as { ResponseMetadata: { Error: { Code: string } } }).ResponseMetadata.Error.Code).toBe("InvalidRequest");
  });
});

describe("presigned requests: issue 10's rules", () => {
  it("refuses a non-empty body when the body is not signed (finding 1)", async () => {
    const r = await presigned({
      params: [["UserUid", "u1"]],
      body: `{"UserUid":"u2","Nickname":"attacker"}`,
      contentType: "application/json",
    });
    expect([r.status, r.code, r.message]).toEqual([
      400,
      "InvalidAuthorization",
      "the request signs no body (X-NotSignBody) but carries one; sign the body or send none",
    ]);
  });
  it("refuses an unsigned X-NotSignBody added to a URL that signed its body (finding 1)", async () => {
    const r = await presigned({ params: [], notSignBody: false, body: "", unsigned: [["X-NotSignBody", ""]] });
    expect([r.status, r.code]).toEqual([400, "InvalidAuthorization"]);
  });
  it("refuses an unsigned X-Expires (finding 2)", async () => {
    const r = await presigned({ params: [], unsigned: [["X-Expires", "604800"]] });
    expect([r.status, r.code]).toEqual([400, "InvalidAuthorization"]);
  });
  it("refuses any other unsigned X- control parameter", async () => {
    for (const name of ["X-Security-Token", "X-Custom"]) {
      const r = await presigned({ params: [], unsigned: [[name, "v"]] });
      expect([r.status, r.code], name).toEqual([400, "InvalidAuthorization"]);
    }
  });
  it("still accepts a signed X-Expires", async () => {
    expect((await presigned({ params: [], expires: 604800 })).status).toBe(200);
  });
  it("refuses JSON bytes sent as a form, so that a signed JSON string cannot turn into parameters (finding 3)", async () => {
    const body = `{"Nickname":"x&UserState=DISABLED&Name=INJECTED&z="}`;
    const res = await app.request(signedRequest({ action: "Echo", body, contentType: "application/x-www-form-urlencoded" }));
    const json = (await res.json()) as { ResponseMetadata: { Error?: { Code: string } } };
    expect([res.status, json.ResponseMetadata.Error?.Code]).toEqual([400, "InvalidRequest"]);
  });
});
