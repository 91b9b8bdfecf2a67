// Cross-origin reads of the token endpoint follow the client's AllowedCors: a listed origin gets the
// answer with Access-Control-Allow-Origin, any other origin (or "null") is refused with invalid_request
// and no such header, and a change to the list acts on the next request. Callback URLs' origins keep the
// library's default (userinfo, public clients).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "../support/harness.js";
import { signInFixture, type SignInFixture } from "../support/sign-in.js";

const SHOP = "https://shop.example.com";

let svc: TestService;
let f: SignInFixture;

beforeAll(async () => {
  svc = await startTestService();
  f = await signInFixture(svc, { client: { AllowedCors: [SHOP] } });
}, 60_000);
afterAll(async () => {
  await svc?.close();
});

/** A client_credentials request as a browser page at `origin` would send it. */
function tokenRequest(origin: string) {
  return fetch(`${f.issuer}/oauth2/token`, {
    method: "POST",
    headers: {
      origin,
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${f.clientId}:${f.clientSecret}`).toString("base64")}`,
    },
    body: "grant_type=client_credentials&scope=api.read",
  });
}

describe("CORS at the token endpoint", () => {
  it("answers an origin the client lists in AllowedCors", async () => {
    const res = await tokenRequest(SHOP);
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(((await res.json()) as { token_type: string }).token_type).toBe("Bearer");
  });

  it.each(["https://evil.example.com", "https://shop.example.com:8443", "http://shop.example.com", "null"])(
    "refuses %s, which the client does not list",
    async (origin) => {
      const res = await tokenRequest(origin);
      expect(res.status).toBe(400);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
      expect(((await res.json()) as { error: string }).error).toBe("invalid_request");
    },
  );

  it("follows a change of the list on the next request", async () => {
    const other = "https://admin.example.com";
    expect((await tokenRequest(other)).status).toBe(400);
    await svc.ok("UpdateUserPoolClient", { UserPoolUid: f.poolUid, ClientUid: f.clientId, AllowedCors: [other] });
    const res = await tokenRequest(other);
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(other);
    expect((await tokenRequest(SHOP)).status).toBe(400);
  });

  it("answers a preflight with the library's CORS headers", async () => {
    const res = await fetch(`${f.issuer}/oauth2/token`, {
      method: "OPTIONS",
      headers: { origin: SHOP, "access-control-request-method": "POST" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(SHOP);
  });
});
