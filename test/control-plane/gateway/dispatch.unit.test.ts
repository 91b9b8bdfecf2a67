// Routing and dispatch through a minimal app built from the gateway's own middleware (routeAction,
// signatureAuth with an in-memory key resolver, dispatchAction) and two test actions: the routing
// errors, the role check, where parameters come from (query, JSON body, a Go SDK form body with
// `; charset=utf-8`), that protocol names never become parameters, and the success envelope.
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { AnyAction } from "../../../src/core/action.js";
import type { AppDeps } from "../../../src/deps.js";
import type { GatewayEnv } from "../../../src/control-plane/gateway/context.js";
import { dispatchAction, routeAction } from "../../../src/control-plane/gateway/dispatch.js";
import { ApiError } from "../../../src/core/errors.js";
import { signatureAuth } from "../../../src/control-plane/gateway/signing/middleware.js";
import { admin, clock, memoryResolver, reader, signedRequest, type SignedCall } from "../../support/unit/edge.js";

const PROTOCOL = [
  "Action",
  "Version",
  "X-Algorithm",
  "X-Credential",
  "X-Date",
  "X-SignedHeaders",
  "X-SignedQueries",
  "X-Signature",
  "X-NotSignBody",
  "X-Security-Token",
  "X-Expires",
];
const input = z.object({
  Name: z.string().optional(),
  Tags: z.array(z.string()).optional(),
  Flag: z.boolean().optional(),
  // Every protocol name as a would-be parameter: if one leaked into the parameters, Echo would show it.
  ...Object.fromEntries(PROTOCOL.map((n) => [n, z.string().optional()])),
});
const handlerCalls: { accountId: string; requestId: string; role: string }[] = [];
const childLogs: unknown[] = [];
const echo: AnyAction = {
  name: "Echo",
  access: "read",
  errors: [],
  summary: "",
  input,
  output: z.unknown(),
  async handler(params, ctx) {
    handlerCalls.push({ accountId: ctx.accountId, requestId: ctx.requestId, role: ctx.principal.role });
    // The logger is made on first use, once.
    if (params.Name === "log") expect(ctx.log).toBe(ctx.log);
    return { params, region: ctx.deps.config.region };
  },
};
const touch: AnyAction = { ...echo, name: "Touch", access: "write" };
const deps = {
  config: { region: "cn-beijing" },
  log: { child: (bindings: unknown) => (childLogs.push(bindings), { info() {} }) },
} as unknown as AppDeps;

/** The app, built on first use inside a test (see test/support/unit/support.ts). */
let built: Hono<GatewayEnv> | undefined;
function app(): Hono<GatewayEnv> {
  if (built) return built;
  const a = new Hono<GatewayEnv>();
  a.use(async (c, next) => {
    c.set("requestId", "RID-1");
    await next();
  });
  a.onError((err, c) => {
    const e = err instanceof ApiError ? err : new ApiError("InternalError", err.message);
    return c.json({ code: e.code, message: e.message, action: c.get("actionName") ?? null, version: c.get("version") ?? null }, e.status);
  });
  a.on(
    ["GET", "POST"],
    "/",
    routeAction(
      new Map([
        ["Echo", echo],
        ["Touch", touch],
      ]),
    ),
    signatureAuth({
      resolver: memoryResolver([admin, reader]).resolver,
      region: "cn-beijing",
      service: "id",
      maxSkewSeconds: 900,
      bodyLimitBytes: 4096,
      clock,
    }),
    dispatchAction(deps),
  );
  return (built = a);
}

async function call(c: SignedCall | string) {
  const res = await app().request(typeof c === "string" ? new Request(`http://id.example/?${c}`, { method: "POST" }) : signedRequest(c));
  const json = (await res.json()) as Record<string, any>;
  return {
    status: res.status,
    json,
    code: json.code as string | undefined,
    params: json.Result?.params as Record<string, unknown> | undefined,
  };
}

describe("routing by Action and Version, before the signature", () => {
  it.each([
    ["no Action", "Version=2025-10-30", "MissingAction", null, "2025-10-30"],
    ["an empty Action", "Action=&Version=2025-10-30", "MissingAction", null, "2025-10-30"],
    ["no Version", "Action=Echo", "MissingParameter.Version", "Echo", null],
    ["an empty Version", "Action=Echo&Version=", "MissingParameter.Version", "Echo", null],
    ["another Version", "Action=Echo&Version=2020-01-01", "InvalidParameter.Version", "Echo", "2020-01-01"],
    ["an unknown Action", "Action=Nope&Version=2025-10-30", "InvalidAction", "Nope", "2025-10-30"],
    ["a known Action, unsigned", "Action=Echo&Version=2025-10-30", "MissingAuthenticationToken", "Echo", "2025-10-30"],
  ])("answers %s with its code, echoing what was sent", async (_name, query, code, action, version) => {
    const r = await call(query);
    expect([r.code, r.json.action, r.json.version]).toEqual([code, action, version]);
  });
  it("says which Version is supported and which Action does not exist, quoted and cut short", async () => {
    expect((await call("Action=Echo&Version=2020-01-01")).json.message).toBe('Version "2020-01-01" is not supported; use 2025-10-30');
    expect((await call("Action=Echo")).json.message).toBe("the parameter Version is required");
    expect((await call("Version=2025-10-30")).json.message).toBe("the Action parameter is required");
    expect((await call(`Action=${"N".repeat(70)}&Version=2025-10-30`)).json.message).toBe(`the action "${"N".repeat(64)}" does not exist`);
    expect((await call(`Action=Echo&Version=${"9".repeat(40)}`)).json.message).toContain(`"${"9".repeat(32)}"`);
  });
});

describe("dispatch", () => {
  it("answers in the success envelope with the handler's result", async () => {
    const r = await call({ body: `{"Name":"n"}` });
    expect(r.status).toBe(200);
    expect(r.json.ResponseMetadata).toEqual({
      RequestId: "RID-1",
      Action: "Echo",
      Version: "2025-10-30",
      Service: "id",
      Region: "cn-beijing",
    });
    expect(r.json.Result).toEqual({ params: { Name: "n" }, region: "cn-beijing" });
  });
  it("hands the handler the principal, its account and the request id, and makes its logger once", async () => {
    handlerCalls.length = 0;
    childLogs.length = 0;
    await call({ key: reader, body: `{"Name":"log"}` });
    expect(handlerCalls).toEqual([{ accountId: reader.accountId, requestId: "RID-1", role: "readonly" }]);
    expect(childLogs).toEqual([{ requestId: "RID-1" }]);
    await call({ body: `{"Name":"quiet"}` });
    expect(childLogs).toHaveLength(1);
  });
  it("lets a readonly key call read actions only", async () => {
    expect((await call({ key: reader })).status).toBe(200);
    const denied = await call({ action: "Touch", key: reader });
    expect([denied.status, denied.code, denied.json.message]).toEqual([
      403,
      "AccessDenied",
      "the access key is not allowed to perform Touch",
    ]);
    expect((await call({ action: "Touch" })).status).toBe(200);
  });
  it("refuses invalid parameters with the parameter's code", async () => {
    expect((await call({ body: `{"Flag":"maybe"}` })).code).toBe("InvalidParameter.Flag");
  });
});

describe("where parameters come from", () => {
  it("takes them from the query, spaces sent as +, and from a JSON body", async () => {
    expect(
      (
        await call({
          query: [
            ["Name", "a b"],
            ["Tags", "x"],
            ["Tags", "y"],
          ],
        })
      ).params,
    ).toEqual({ Name: "a b", Tags: ["x", "y"] });
    expect((await call({ body: `{"Tags":["j"],"Flag":true}` })).params).toEqual({ Tags: ["j"], Flag: true });
    expect((await call({ query: [["Name", "q"]], body: `{"Flag":false}` })).params).toEqual({ Name: "q", Flag: false });
  });
  it("reads a form body sent by the Go SDK, with `; charset=utf-8`", async () => {
    const r = await call({
      contentType: "application/x-www-form-urlencoded; charset=utf-8",
      body: "Name=go+style%21&Tags.2=b&Tags.1=a&Flag=true",
    });
    expect([r.status, r.params]).toEqual([200, { Name: "go style!", Tags: ["a", "b"], Flag: true }]);
  });
  it("reads a form body whatever the case of its Content-Type, together with the query", async () => {
    const r = await call({ contentType: "Application/X-WWW-Form-Urlencoded", query: [["Flag", "true"]], body: "Name=%C3%A9" });
    expect(r.params).toEqual({ Name: "é", Flag: true });
  });
  it("reads an empty body as no parameters, whatever the Content-Type", async () => {
    for (const contentType of ["application/json", "application/x-www-form-urlencoded", ""]) {
      expect((await call({ contentType, body: "" })).params, contentType).toEqual({});
    }
  });
  it("refuses a name sent in both the query and the body, by its first segment and any case (issue 22)", async () => {
    const FORM = "application/x-www-form-urlencoded";
    const both = (param: string) => [
      400,
      `InvalidParameter.${param}`,
      `${param} is sent in both the query and the body; send each parameter once`,
    ];
    const refusal = async (c: SignedCall) => {
      const r = await call(c);
      return [r.status, r.code, r.json.message];
    };
    expect(await refusal({ query: [["Name", "q"]], body: `{"Name":"b"}` })).toEqual(both("Name"));
    expect(await refusal({ query: [["name", "q"]], body: `{"Flag":true,"NAME":"b"}` })).toEqual(both("NAME"));
    expect(await refusal({ query: [["Tags.1", "q"]], body: `{"Tags":["b"]}` })).toEqual(both("Tags"));
    expect(await refusal({ query: [["Tags", "q"]], contentType: FORM, body: "Tags.1=b" })).toEqual(both("Tags"));
    expect(await refusal({ query: [["Flag", "true"]], contentType: FORM, body: "Name=n&flag=false" })).toEqual(both("flag"));
    // Protocol names are not parameters, so they never clash; distinct names still combine.
    expect((await call({ query: [["Tagsx", "q"]], body: `{"Tags":["b"]}` })).code).toBe("InvalidParameter.Tagsx");
    expect((await call({ query: [["Name", "q"]], contentType: FORM, body: "X-Date=1&Flag=true" })).params).toEqual({
      Name: "q",
      Flag: true,
    });
  });
  it("never takes a protocol name as a parameter, from the query or a form body", async () => {
    const query = PROTOCOL.filter((n) => n !== "Action" && n !== "Version").map((n) => [n, "v"] as [string, string]);
    expect((await call({ query })).params).toEqual({});
    const form = PROTOCOL.map((n) => `${n}=v`).join("&");
    expect((await call({ contentType: "application/x-www-form-urlencoded", body: `${form}&Name=n` })).params).toEqual({ Name: "n" });
  });
});

describe("the body is decoded by what it is, and a Content-Type that contradicts it is refused (docs/spec/signing.md §5a)", () => {
  const FORM = "application/x-www-form-urlencoded";
  const JSON_IS_FORM = "the body is JSON but Content-Type says application/x-www-form-urlencoded";
  const FORM_IS_JSON = "the body is not JSON but Content-Type says application/json";
  const refusal = async (c: SignedCall) => {
    const r = await call(c);
    return [r.status, r.code, r.json.message];
  };

  it("refuses a JSON object or array labelled as a form, after any JSON whitespace", async () => {
    for (const space of ["", " ", "\t", "\n", "\r", " \r\n\t"]) {
      for (const json of [`{"Name":"x"}`, `["Name"]`]) {
        expect(await refusal({ contentType: FORM, body: `${space}${json}` }), JSON.stringify(space + json)).toEqual([
          400,
          "InvalidRequest",
          JSON_IS_FORM,
        ]);
      }
    }
  });
  it("reads a JSON object after JSON whitespace when labelled JSON", async () => {
    for (const space of [" ", "\t", "\n", "\r"]) {
      expect((await call({ contentType: "application/json", body: `${space}{"Name":"w"}` })).params, JSON.stringify(space)).toEqual({
        Name: "w",
      });
    }
  });
  it("refuses form bytes, or only whitespace, labelled JSON, whatever the parameters of the media type", async () => {
    for (const contentType of ["application/json", "Application/JSON; charset=utf-8", "application/json ; charset=utf-8"]) {
      expect(await refusal({ contentType, body: "Name=x" }), contentType).toEqual([400, "InvalidRequest", FORM_IS_JSON]);
      expect(await refusal({ contentType, body: " \n" }), contentType).toEqual([400, "InvalidRequest", FORM_IS_JSON]);
    }
  });
  it("reads a body labelled neither JSON nor form as JSON, and says it is not JSON when it is not", async () => {
    for (const contentType of ["text/plain", "application/jsonx", ""]) {
      expect((await call({ contentType, body: `{"Name":"t"}` })).params, contentType).toEqual({ Name: "t" });
      expect(await refusal({ contentType, body: "Name=x" }), contentType).toEqual([
        400,
        "InvalidRequest",
        "the request body is not valid JSON",
      ]);
    }
  });
  it("reads a whitespace-only form body as a form, not as JSON", async () => {
    // Its one pair has a blank name, which no action declares: refused as a parameter, not as JSON.
    const r = await call({ contentType: FORM, body: " " });
    expect([r.status, r.code]).toEqual([400, "InvalidParameter. "]);
  });
  it("refuses a form body that is not valid UTF-8 instead of reading U+FFFD into a parameter", async () => {
    const body = Buffer.concat([Buffer.from("Name=a"), Buffer.from([0xff, 0xfe]), Buffer.from("b")]);
    expect(await refusal({ contentType: FORM, body })).toEqual([400, "InvalidRequest", "the request body is not valid UTF-8"]);
    // Escaped bytes are the form's own business: %C3%A9 decodes, and the raw UTF-8 of é reads alike.
    expect((await call({ contentType: FORM, body: Buffer.from("Name=é") })).params).toEqual({ Name: "é" });
  });
});
