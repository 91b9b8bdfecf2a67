// The checks of the token endpoint's usual client_credentials request
// (src/sign-in/client-credentials-checks.ts), alone: each must accept only what oidc-provider's token
// endpoint accepts (anything it would refuse, or answer in another way, goes to the library), and
// grant the scope the library would. test/sign-in/client-credentials-usual.test.ts compares whole
// answers with the library's on a real pool.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  clientCredentialsScope,
  USUAL_FORM_LIMIT_BYTES,
  usualClientCredentials,
  usualTokenHead,
} from "../../src/sign-in/client-credentials-checks.js";

const head = (over: { method?: string; url?: string; headers?: Record<string, string | undefined> } = {}) => {
  const headers: Record<string, string | undefined> = {
    "content-type": "application/x-www-form-urlencoded",
    "content-length": "60",
    authorization: "Basic abc=",
    ...over.headers,
  };
  return { method: over.method ?? "POST", url: over.url ?? "/userpool/p/oauth2/token", header: (n: string) => headers[n] };
};
const basic = (raw: string) => `Basic ${Buffer.from(raw).toString("base64")}`;
const FORM = "grant_type=client_credentials&scope=api.read";

describe("usualTokenHead", () => {
  it("accepts a POST of a small form without a query", () => {
    expect(usualTokenHead(head())).toBe(true);
    expect(usualTokenHead(head({ headers: { "content-type": "application/x-www-form-urlencoded; charset=UTF-8" } }))).toBe(true);
    expect(usualTokenHead(head({ headers: { "content-type": "Application/X-WWW-Form-Urlencoded;charset=utf-8" } }))).toBe(true);
    expect(usualTokenHead(head({ headers: { "content-length": String(USUAL_FORM_LIMIT_BYTES) } }))).toBe(true);
    expect(usualTokenHead(head({ headers: { "content-length": "1" } }))).toBe(true);
  });

  it.each([
    ["a GET", { method: "GET" }],
    ["a query", { url: "/userpool/p/oauth2/token?x=1" }],
    ["a DPoP proof", { headers: { dpop: "x" } }],
    ["an Origin", { headers: { origin: "https://a.example" } }],
    ["a client attestation", { headers: { "oauth-client-attestation": "x" } }],
    ["an attestation proof", { headers: { "oauth-client-attestation-pop": "x" } }],
    ["a chunked body", { headers: { "transfer-encoding": "chunked" } }],
    ["JSON", { headers: { "content-type": "application/json" } }],
    ["another charset", { headers: { "content-type": "application/x-www-form-urlencoded; charset=latin1" } }],
    ["a content type with more after it", { headers: { "content-type": "application/x-www-form-urlencoded-x" } }],
    ["a content type with more before it", { headers: { "content-type": "text/application/x-www-form-urlencoded" } }],
    ["no content type", { headers: { "content-type": undefined } }],
    ["no length", { headers: { "content-length": undefined } }],
    ["an empty body", { headers: { "content-length": "0" } }],
    ["a larger form", { headers: { "content-length": String(USUAL_FORM_LIMIT_BYTES + 1) } }],
    ["a length that is not a number", { headers: { "content-length": "1e3" } }],
    ["a negative length", { headers: { "content-length": "-1" } }],
  ])("leaves %s to the library", (_name, over) => {
    expect(usualTokenHead(head(over))).toBe(false);
  });
});

describe("usualClientCredentials", () => {
  it("reads client_secret_basic, its id and secret form-decoded as the library does", () => {
    expect(usualClientCredentials(basic("client:secret"), FORM)).toEqual({ clientId: "client", secret: "secret", scope: "api.read" });
    expect(usualClientCredentials(basic("a%3Ab+c:s%20e+t:x"), "grant_type=client_credentials")).toEqual({
      clientId: "a:b c",
      secret: "s e t:x",
      scope: undefined,
    });
    // Unpadded base64 is base64 too (isValidBase64), and a length of four needs no padding.
    expect(usualClientCredentials(basic("client:secret").replace(/=+$/, ""), FORM)?.clientId).toBe("client");
    expect(basic("c:s")).toBe("Basic Yzpz");
    expect(usualClientCredentials(basic("c:s"), FORM)).toEqual({ clientId: "c", secret: "s", scope: "api.read" });
    expect(usualClientCredentials(basic("c:s"), "grant_type=client_credentials&scope=api.write%20api.read")?.scope).toBe(
      "api.write api.read",
    );
  });

  it("reads client_secret_post", () => {
    expect(usualClientCredentials(undefined, `${FORM}&client_id=c%20d&client_secret=s%2Bt`)).toEqual({
      clientId: "c d",
      secret: "s+t",
      scope: "api.read",
    });
  });

  it.each([
    ["another grant", basic("c:s"), "grant_type=authorization_code&code=x"],
    ["no grant", basic("c:s"), "scope=api.read"],
    ["a parameter twice", basic("c:s"), `${FORM}&scope=api.write`],
    ["an empty parameter", basic("c:s"), `${FORM}&scope=`],
    ["an unknown parameter", basic("c:s"), `${FORM}&x=1`],
    ["a resource", basic("c:s"), `${FORM}&resource=https%3A%2F%2Fapi`],
    ["authorization_details", basic("c:s"), `${FORM}&authorization_details=%5B%5D`],
    ["a scope with a double space", basic("c:s"), "grant_type=client_credentials&scope=a%20%20b"],
    ["a scope with a quote", basic("c:s"), "grant_type=client_credentials&scope=a%22"],
    ["a scope with a backslash", basic("c:s"), "grant_type=client_credentials&scope=a%5C"],
    ["a scope ending in a space", basic("c:s"), "grant_type=client_credentials&scope=a%20"],
    ["Basic and a client_id", basic("c:s"), `${FORM}&client_id=c`],
    ["Basic and a client_secret", basic("c:s"), `${FORM}&client_secret=s`],
    ["basic in lower case", `basic ${Buffer.from("c:s").toString("base64")}`, FORM],
    ["another scheme", "Bearer abc", FORM],
    ["Basic with two spaces", `Basic  ${Buffer.from("c:s").toString("base64")}`, FORM],
    ["Basic that is not base64", "Basic ab$c", FORM],
    ["Basic with a remainder of one", "Basic abcde", FORM],
    ["Basic with a remainder of one after a valid value", "Basic YzpzA", FORM],
    ["Basic with a character outside base64 first", "Basic $Yzpz", FORM],
    ["Basic with a character outside base64 last", "Basic Yzpz$", FORM],
    ["Basic with more after a space", "Basic Yzpz x", FORM],
    ["a scheme ending in Basic", "XBasic Yzpz", FORM],
    ["Basic with wrong padding", "Basic ab=", FORM],
    ["Basic without a colon", basic("cs"), FORM],
    ["Basic with an empty id", basic(":s"), FORM],
    ["Basic with an empty secret", basic("c:"), FORM],
    ["Basic badly percent-encoded", basic("c%:s"), FORM],
    ["Basic with a control character", basic("c\u0001:s"), FORM],
    ["Basic with a non-ASCII character", basic("c:sé"), FORM],
    ["a posted secret without its id", undefined, `${FORM}&client_secret=s`],
    ["a posted id without a secret", undefined, `${FORM}&client_id=c`],
    ["a posted id with a control character", undefined, `${FORM}&client_id=c%01&client_secret=s`],
    ["an empty posted id", undefined, `${FORM}&client_id=&client_secret=s`],
    ["an empty posted secret", undefined, `${FORM}&client_id=c&client_secret=`],
    ["no client at all", undefined, FORM],
  ])("leaves %s to the library", (_name, authorization, form) => {
    expect(usualClientCredentials(authorization, form)).toBeUndefined();
  });

  it("never accepts a form with any parameter but the four, or any of them twice", () => {
    const names = fc.constantFrom("grant_type", "scope", "client_id", "client_secret", "resource", "x", "");
    fc.assert(
      fc.property(fc.array(fc.tuple(names, fc.stringMatching(/^[a-z]{0,3}$/)), { maxLength: 6 }), (pairs) => {
        const form = ["grant_type=client_credentials", ...pairs.map(([n, v]) => `${n}=${v}`)].join("&");
        const names = ["grant_type", ...pairs.map(([n]) => n)];
        const tidy =
          new Set(names).size === names.length && names.every((n) => ["grant_type", "scope", "client_id", "client_secret"].includes(n));
        if (usualClientCredentials(basic("c:s"), form) !== undefined) expect(tidy).toBe(true);
      }),
    );
  });
});

describe("clientCredentialsScope", () => {
  const pool = {
    statics: new Set(["openid", "profile", "email", "phone", "offline_access", "api.read", "api.write"]),
    api: ["api.read", "api.write"],
  };
  const web = {
    token_endpoint_auth_method: "client_secret_basic",
    grant_types: ["authorization_code", "client_credentials"],
    scope: "openid profile api.read api.write",
  };

  it("grants the requested scopes of the pool's API, in the order asked, once each", () => {
    expect(clientCredentialsScope(web, "api.write api.read", pool)).toBe("api.write api.read");
    expect(clientCredentialsScope(web, "api.read nope api.read openid profile", pool)).toBe("api.read");
    expect(clientCredentialsScope({ ...web, token_endpoint_auth_method: "client_secret_post" }, "api.read", pool)).toBe("api.read");
  });

  it("grants no scope when none of the pool's API is asked for", () => {
    expect(clientCredentialsScope(web, undefined, pool)).toBeUndefined();
    expect(clientCredentialsScope(web, "openid nope", pool)).toBeUndefined();
  });

  it("lets a client without a scope list ask for anything", () => {
    expect(clientCredentialsScope({ ...web, scope: undefined }, "email api.read", pool)).toBe("api.read");
  });

  it.each([
    ["a public client", { ...web, token_endpoint_auth_method: "none" }, "api.read", pool],
    ["a client without the grant", { ...web, grant_types: ["authorization_code"] }, "api.read", pool],
    ["a client without grants", { ...web, grant_types: undefined }, "api.read", pool],
    ["a standard scope the client may not ask for", web, "api.read email", pool],
    ["a custom scope the client may not ask for", { ...web, scope: "openid api.read" }, "api.write", pool],
    ["a pool without an API", web, "api.read", { statics: pool.statics, api: [] }],
    ["a pool without an API, no scope asked", web, undefined, { statics: pool.statics, api: [] }],
  ])("refuses %s", (_name, client, scope, scopes) => {
    expect(clientCredentialsScope(client, scope, scopes)).toBe("refuse");
  });
});
