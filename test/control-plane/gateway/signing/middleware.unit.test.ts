// signatureAuth on its own (docs/spec/signing.md §6): its options are checked once, and a request is judged
// cheapest first: shape, clock, access key and scope before a byte of the body is read, then the
// body under the limit and the HMAC. What it leaves on the context is what later steps trust.
import { describe, expect, it } from "vitest";
import type { MiddlewareHandler } from "hono";
import type { GatewayEnv } from "../../../../src/control-plane/gateway/context.js";
import { signatureAuth, type SignatureAuthOptions } from "../../../../src/control-plane/gateway/signing/middleware.js";
import { wireFromFetch, type WireRequest } from "../../../../src/control-plane/gateway/wire.js";
import {
  admin,
  clock,
  disabled,
  fakeContext,
  memoryResolver,
  NOW,
  reader,
  signedRequest,
  type SignedCall,
} from "../../../support/unit/edge.js";
import { asyncErrorOf } from "../../../support/unit/support.js";

function setup(over: Partial<SignatureAuthOptions> = {}) {
  const keys = memoryResolver([admin, reader, disabled]);
  const options: SignatureAuthOptions = {
    resolver: keys.resolver,
    region: "cn-beijing",
    service: "id",
    maxSkewSeconds: 900,
    bodyLimitBytes: 16,
    clock,
    ...over,
  };
  return { ...keys, mw: signatureAuth(options) };
}

/** Runs the middleware on a signed call; records whether the body was read and next was called. */
async function run(mw: MiddlewareHandler<GatewayEnv>, call: SignedCall | Request) {
  const wire = wireFromFetch(call instanceof Request ? call : signedRequest(call));
  let bodyRead = false;
  const spied: WireRequest = { ...wire, readBody: (limit) => ((bodyRead = true), wire.readBody(limit)) };
  const c = fakeContext({ wire: spied });
  let nextCalls = 0;
  const outcome = await (mw as (c: unknown, next: () => Promise<void>) => Promise<void>)(c, async () => void nextCalls++).then(
    () => "OK",
    (e: { code?: string; message: string }) => e.code ?? `not an ApiError: ${e.message}`,
  );
  return { outcome, bodyRead, nextCalls, c };
}

describe("options", () => {
  it("needs a region and a service", () => {
    expect(() => setup({ region: "" })).toThrow("signatureAuth needs a region and a service");
    expect(() => setup({ service: "" })).toThrow("signatureAuth needs a region and a service");
  });
  it.each([
    ["maxSkewSeconds", 0],
    ["maxSkewSeconds", -1],
    ["maxSkewSeconds", Number.NaN],
    ["bodyLimitBytes", 0],
    ["bodyLimitBytes", Number.NaN],
  ])("refuses %s = %d", (name, value) => {
    expect(() => setup({ [name]: value })).toThrow("signatureAuth limits must be positive");
  });
  it("accepts the smallest positive limits", () => {
    expect(() => setup({ maxSkewSeconds: 1, bodyLimitBytes: 1 })).not.toThrow();
  });
});

describe("a good request", () => {
  it("passes, leaving the principal, the body and the verified credentials on the context", async () => {
    const { mw, derived } = setup();
    const r = await run(mw, { body: `{"A":1}` });
    expect([r.outcome, r.nextCalls, r.bodyRead]).toEqual(["OK", 1, true]);
    expect(r.c.get("principal")).toEqual({ accessKeyId: admin.accessKeyId, accountId: admin.accountId, role: "admin" });
    expect(new TextDecoder().decode(r.c.get("body") as Uint8Array)).toBe(`{"A":1}`);
    expect(r.c.get("auth")).toMatchObject({ form: "header", accessKeyId: admin.accessKeyId, shortDate: "20251030" });
    expect(derived).toEqual(["20251030/cn-beijing/id"]);
  });
  it("reads a body exactly at the limit", async () => {
    expect((await run(setup().mw, { body: "x".repeat(16) })).outcome).toBe("OK");
  });
  it("judges the clock by the clock it was given", async () => {
    const late = new Date(NOW.getTime() + 3600_000);
    expect((await run(setup({ clock: { now: () => late } }).mw, { at: late })).outcome).toBe("OK");
    expect((await run(setup({ clock: { now: () => late } }).mw, {})).outcome).toBe("InvalidTimestamp");
  });
});

describe("refusals, cheapest first", () => {
  it("refuses a malformed Authorization before looking the key up", async () => {
    const { mw, lookups } = setup();
    const r = await run(mw, { tamper: (h) => ({ ...h, Authorization: h.Authorization!.replace("Signature=", "Signature=x") }) });
    expect([r.outcome, r.bodyRead, r.nextCalls, lookups]).toEqual(["InvalidAuthorization", false, 0, []]);
  });
  it("refuses a stale X-Date before looking the key up", async () => {
    const { mw, lookups } = setup();
    const r = await run(mw, { at: new Date(NOW.getTime() - 901_000) });
    expect([r.outcome, r.bodyRead, lookups]).toEqual(["InvalidTimestamp", false, []]);
  });
  it("refuses an unknown or disabled key before reading the body", async () => {
    const { mw, lookups } = setup();
    const unknown = await run(mw, { key: { ...admin, accessKeyId: "AKNONE" } });
    expect([unknown.outcome, unknown.bodyRead]).toEqual(["InvalidAccessKeyId", false]);
    const off = await run(mw, { key: disabled });
    expect([off.outcome, off.bodyRead, off.nextCalls]).toEqual(["InvalidAccessKeyId", false, 0]);
    expect(lookups).toEqual(["AKNONE", disabled.accessKeyId]);
    const e = await asyncErrorOf(() => mw(fakeContext({ wire: wireFromFetch(signedRequest({ key: disabled })) }) as never, async () => {}));
    expect(e.message).toBe("the access key does not exist or is disabled");
  });
  it.each([
    ["region", { region: "cn-shanghai" }],
    ["service", { service: "iam" }],
  ])("refuses another %s with SignatureNotMatch naming the expected scope, before reading the body", async (_name, scope) => {
    const { mw, derived } = setup();
    const r = await run(mw, scope);
    expect([r.outcome, r.bodyRead, derived]).toEqual(["SignatureNotMatch", false, []]);
    const e = await asyncErrorOf(() => mw(fakeContext({ wire: wireFromFetch(signedRequest(scope)) }) as never, async () => {}));
    expect(e.message).toBe("the credential scope must be <date>/cn-beijing/id/request");
  });
  it("refuses a body over the limit before computing the signature", async () => {
    const { mw, derived } = setup();
    const r = await run(mw, { body: "x".repeat(17) });
    expect([r.outcome, r.nextCalls, derived]).toEqual(["RequestEntityTooLarge", 0, []]);
  });
  it("refuses a wrong signature with SignatureNotMatch and leaves nothing on the context", async () => {
    const { mw } = setup();
    const r = await run(mw, { key: { ...admin, secret: "wrong" } });
    expect([r.outcome, r.nextCalls, r.c.get("principal"), r.c.get("auth")]).toEqual(["SignatureNotMatch", 0, undefined, undefined]);
    const e = await asyncErrorOf(() =>
      mw(fakeContext({ wire: wireFromFetch(signedRequest({ key: { ...admin, secret: "wrong" } })) }) as never, async () => {}),
    );
    expect(e.message).toMatch(/^the request signature does not match/);
  });
});
