// The URI rules of clients (src/core/url.ts, src/oauth-credentials/rules.ts and client-schemas.ts):
// what a redirect URI, a logout URI, an origin and a logo may be, each refusal's exact words, the
// stored serialization, and exact matching as a property (fast-check): a presented URI matches iff
// it equals a registered one after serialization. No database: this file is in the unit set the
// mutation run (stryker.config.mjs) reruns.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_URL_LENGTH, isSecureWebUrl, quote, serializedUrl, urlProblem, type UrlRule } from "../../src/core/url.js";
import { matchRegisteredUri } from "../../src/oauth-credentials/client-policy.js";
import {
  MAX_URI_LIST_BYTES,
  clientDescription,
  clientName,
  idTokenLifetime,
  logoUri,
  originList,
  redirectUri,
  redirectUriList,
  refreshTokenLifetime,
  uriList,
} from "../../src/oauth-credentials/client-schemas.js";
import {
  GRANT_TYPES,
  LIFETIMES,
  STANDARD_SCOPES,
  checkCredentialRules,
  checkRefreshTokenRules,
  isGrantType,
  logoUriProblem,
  originProblem,
  redirectUriProblem,
  scopeTokens,
} from "../../src/oauth-credentials/rules.js";
import { codeOf, errorOf } from "../support/unit/support.js";

const LOOPBACK = "http is allowed only for localhost, 127.0.0.1 and [::1]; use https";
const SCHEME = (s: string) =>
  `the scheme "${s}" is not allowed; use https, http on a loopback host, or a reverse-domain scheme such as com.example.app`;
const PLAIN_HOST = "the host must be written plainly (no '@' or percent-encoding)";

describe("redirect URIs", () => {
  it.each([
    "https://app.example.com/cb",
    "https://app.example.com",
    "HTTPS://APP.EXAMPLE.COM/cb",
    "https://app.example.com:8443/cb?state=x&y=%20",
    "https://app.example.com/cb?next=a@b",
    "https://app.example.com?x=%40",
    "https://app.example.com/p%40th",
    "https://xn--bcher-kva.example/cb",
    "https://10.0.0.1/cb",
    "https://[2001:db8::1]/cb",
    "http://localhost/cb",
    "http://localhost:8080/cb",
    "HTTP://LOCALHOST:8080/cb",
    "http://127.0.0.1:51234/cb",
    "http://[::1]:3000/cb",
    "com.example.app:/oauth2redirect",
    "com.example.app:oauth",
    "com.example.app://callback",
    "c.x:/cb",
    "com.example-app.v2+x:/cb",
    "Com.Example.App:/cb",
    "a".repeat(MAX_URL_LENGTH - "https://x.example/".length).replace(/^/, "https://x.example/"),
  ])("accepts %s", (uri) => {
    expect(redirectUriProblem(uri)).toBeUndefined();
  });

  it.each([
    ["", "it is empty"],
    [`https://x.example/${"a".repeat(MAX_URL_LENGTH - "https://x.example/".length + 1)}`, `it is longer than ${MAX_URL_LENGTH} characters`],
    [" https://app.example.com/cb", "it contains whitespace or control characters"],
    ["https://app.example.com/cb ", "it contains whitespace or control characters"],
    ["https://app.example.com/c b", "it contains whitespace or control characters"],
    ["https://app.example.com/cb\t", "it contains whitespace or control characters"],
    ["https://app.example.com/\ncb", "it contains whitespace or control characters"],
    ["https://app.example.com/\u0000cb", "it contains whitespace or control characters"],
    ["https://app.example.com/\u001fcb", "it contains whitespace or control characters"],
    ["https://app.example.com/\u007fcb", "it contains whitespace or control characters"],
    ["https://app.example.com/\u00a0cb", "it contains whitespace or control characters"],
    ["https://app.example.com/\u2028cb", "it contains whitespace or control characters"],
    ["https://app.example.com/cb#", "it must not contain a fragment"],
    ["https://app.example.com/cb#x", "it must not contain a fragment"],
    ["https://*.example.com/cb", "wildcards are not allowed"],
    ["https://app.example.com/*", "wildcards are not allowed"],
    ["https://app.example.com\\@evil.com/cb", "it must not contain a backslash"],
    ["https:\\\\evil.com/cb", "it must not contain a backslash"],
    ["com.example.app:/a\\b", "it must not contain a backslash"],
    ["/cb", "it is not an absolute URI"],
    ["app.example.com/cb", "it is not an absolute URI"],
    ["https://", "it is not an absolute URI"],
    ["https://exa mple.com", "it contains whitespace or control characters"],
    ["https://u:p@app.example.com/cb", "it must not contain credentials"],
    ["https://u@app.example.com/cb", "it must not contain credentials"],
    ["https://:p@app.example.com/cb", "it must not contain credentials"],
    ["com.example.app://u@cb", "it must not contain credentials"],
    ["https:evil.com/cb", "it must start with https:// followed by the host"],
    ["https:/evil.com/cb", "it must start with https:// followed by the host"],
    ["HTTPS:evil.com/cb", "it must start with https:// followed by the host"],
    ["http:localhost/cb", "it must start with http:// followed by the host"],
    // Issue 30: an empty authority parsed as the host after it; the text shows no host there.
    ["https:///evil.com/cb", "it must start with https:// followed by the host"],
    ["https:////evil.com/cb", "it must start with https:// followed by the host"],
    ["http:///localhost/cb", "it must start with http:// followed by the host"],
    ["https://@evil.com/cb", PLAIN_HOST],
    ["https://%65vil.com/cb", PLAIN_HOST],
    ["https://app.example.com%2F@evil.com/cb", "it must not contain credentials"],
    ["http://example.com/cb", LOOPBACK],
    ["http://127.0.0.2/cb", LOOPBACK],
    ["http://[::2]/cb", LOOPBACK],
    ["http://localhost.example.com/cb", LOOPBACK],
    ["http://10.0.0.1/cb", LOOPBACK],
    ["myapp:/cb", SCHEME("myapp")],
    ["javascript:alert(1)", SCHEME("javascript")],
    ["data:text/html,x", SCHEME("data")],
    ["file:///etc/passwd", SCHEME("file")],
    ["ftp://files.example.com/cb", SCHEME("ftp")],
    ["wss://app.example.com/cb", SCHEME("wss")],
    ["com-example-app:/cb", SCHEME("com-example-app")],
    ["com.example.:/cb", SCHEME("com.example.")],
    ["com..example:/cb", SCHEME("com..example")],
    ["com..example.app:/cb", SCHEME("com..example.app")],
    ["https:evil.com/cb?r=https://app.example.com/cb", "it must start with https:// followed by the host"],
    [".com.example:/cb", "it is not an absolute URI"],
  ])("refuses %j: %s", (uri, why) => {
    expect(redirectUriProblem(uri)).toBe(`redirect URI ${quote(uri)} is invalid: ${why}`);
  });

  it("quotes a long URI cut at 200 characters", () => {
    const uri = `ftp://x.example/${"a".repeat(300)}`;
    expect(redirectUriProblem(uri)).toBe(`redirect URI ${JSON.stringify(`${uri.slice(0, 200)}...`)} is invalid: ${SCHEME("ftp")}`);
    expect(quote("a".repeat(200))).toBe(`"${"a".repeat(200)}"`);
    expect(quote("a".repeat(201))).toBe(`"${"a".repeat(200)}..."`);
    expect(quote('a"\n')).toBe('"a\\"\\n"');
  });

  it("is stored in its serialization and checked first", () => {
    expect(redirectUri.parse("HTTPS://App.Example.COM:443/a/../cb?x=1")).toBe("https://app.example.com/cb?x=1");
    expect(redirectUri.parse("https://app.example.com")).toBe("https://app.example.com/");
    expect(redirectUri.parse("com.example.app:/cb")).toBe("com.example.app:/cb");
    expect(serializedUrl("http://LOCALHOST:80/cb")).toBe("http://localhost/cb");
    const r = redirectUri.safeParse("http://example.com/cb");
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.code, i.message])).toEqual([
      ["custom", `redirect URI "http://example.com/cb" is invalid: ${LOOPBACK}`],
    ]);
  });

  it("holds at most 100 URIs and 16 KiB of them in a list", () => {
    const uri = (i: number) => `https://app.example.com/${i}`;
    const hundred = Array.from({ length: 100 }, (_, i) => uri(i));
    expect(redirectUriList.parse(hundred)).toHaveLength(100);
    expect(redirectUriList.safeParse([...hundred, uri(100)]).success).toBe(false);
    expect(redirectUriList.parse([])).toEqual([]);
    // Exactly MAX_URI_LIST_BYTES bytes (of the serialization: é is stored as %C3%A9), then one more.
    const base = "https://app.example.com/";
    const fill = (bytes: number, last: string) => `${base}${"a".repeat(bytes - base.length - Buffer.byteLength(last))}${last}`;
    const eight = Array.from({ length: 7 }, () => fill(2048, ""));
    expect(redirectUriList.safeParse([...eight, fill(2048, "")]).success).toBe(true);
    expect(redirectUriList.safeParse([...eight, fill(2045, "é")]).success).toBe(false);
    expect(MAX_URI_LIST_BYTES).toBe(16 * 1024);
    const over = redirectUriList.safeParse([...eight, fill(2047, ""), "https://a.example/"]);
    expect(over.success).toBe(false);
    expect(over.error?.issues[0]?.message).toBe(`may hold ${MAX_URI_LIST_BYTES} bytes of URIs in all`);
    expect(originList.safeParse(Array.from({ length: 101 }, (_, i) => `https://a${i}.example.com`)).success).toBe(false);
    const origins = originList.safeParse(Array.from({ length: 9 }, (_, i) => `https://${"a".repeat(1990)}${i}.example.com`));
    expect(origins.success).toBe(false);
    expect(origins.error?.issues[0]?.message).toBe(`may hold ${MAX_URI_LIST_BYTES} bytes of URIs in all`);
  });

  it("checks each list member by its rule, keeping it as written", () => {
    const logout = uriList(redirectUriProblem);
    expect(logout.parse(["HTTPS://A.example.com/out"])).toEqual(["HTTPS://A.example.com/out"]);
    const r = logout.safeParse(["https://a.example.com/out", "http://b.example.com/out"]);
    expect(r.error?.issues.map((i) => [i.path, i.message])).toEqual([
      [[1], `redirect URI "http://b.example.com/out" is invalid: ${LOOPBACK}`],
    ]);
  });
});

describe("exact matching, as a property", () => {
  // URIs from parts that serialize in different ways: case, default ports, dot segments, an empty path.
  const host = fc.constantFrom("app.example.com", "App.Example.COM", "b.example.org", "localhost", "127.0.0.1", "[::1]", "[::0:1]");
  const scheme = fc.constantFrom("https", "HTTPS", "http", "com.example.app", "ftp");
  const port = fc.constantFrom("", ":443", ":80", ":8080", ":");
  const path = fc.constantFrom("", "/", "/cb", "/CB", "/a/../cb", "/./cb", "/cb/", "/c%62", "/cb?x=1", "/cb?x=1#f", "/*");
  const uri = fc
    .tuple(scheme, host, port, path)
    .map(([s, h, p, rest]) => (s === "com.example.app" ? `${s}:${rest || "/"}` : `${s}://${h}${p}${rest}`));

  it("matches iff the presented URI, acceptable itself, equals a registered acceptable one after serialization", () => {
    // endOnFailure: a mutant that breaks the rule fails at once, without seconds of shrinking.
    fc.assert(
      fc.property(fc.array(uri, { maxLength: 5 }), uri, (registered, presented) => {
        const ok = (u: string) => redirectUriProblem(u) === undefined;
        const expected = ok(presented) ? registered.find((r) => ok(r) && new URL(r).href === new URL(presented).href) : undefined;
        expect(matchRegisteredUri(registered, presented)).toBe(expected);
      }),
      { numRuns: 1000, endOnFailure: true },
    );
  });

  it("matches every registered acceptable URI by its own serialization", () => {
    fc.assert(
      fc.property(uri, (u) => {
        if (redirectUriProblem(u) !== undefined) return;
        expect(matchRegisteredUri([u], serializedUrl(u))).toBe(u);
        expect(matchRegisteredUri([serializedUrl(u)], u)).toBe(serializedUrl(u));
      }),
      { endOnFailure: true },
    );
  });
});

describe("URL rules other than redirects", () => {
  const rules: Record<string, UrlRule> = {
    any: { http: "any" },
    loopback: { http: "loopback" },
    never: { http: "never" },
    fragment: { http: "never", fragment: true },
    lax: { http: "any", fragment: true },
  };
  it.each([
    ["any", "http://example.com/x", undefined],
    ["any", "http://example.com/x y", undefined],
    ["any", "https://example.com/*", undefined],
    ["any", "com.example.app:/x", SCHEME("com.example.app")],
    ["loopback", "http://localhost/x", undefined],
    ["loopback", "http://example.com/x", LOOPBACK],
    ["never", "http://localhost/x", SCHEME("http")],
    ["never", "https://example.com/x", undefined],
    ["never", "https://example.com/x#y", "it must not contain a fragment"],
    ["fragment", "https://example.com/x#y", undefined],
    ["fragment", "https://example.com#%40", undefined],
    ["fragment", "https://example.com?%40", undefined],
    ["fragment", "https://exa%6dple.com#x", PLAIN_HOST],
    ["lax", "http://example.com/#x", undefined],
    ["lax", "https://u@example.com/", "it must not contain credentials"],
    ["lax", "mailto:a@example.com", SCHEME("mailto")],
  ] as const)("%s: %s -> %s", (rule, uri, why) => {
    expect(urlProblem(uri, rules[rule]!)).toBe(why);
  });

  it("takes a reset link's URL only when https or on a loopback host", () => {
    expect(isSecureWebUrl("https://app.example.com/reset")).toBe(true);
    expect(isSecureWebUrl("http://localhost:3000/reset")).toBe(true);
    expect(isSecureWebUrl("http://app.example.com/reset")).toBe(false);
    expect(isSecureWebUrl("")).toBe(false);
  });

  it.each([
    ["https://app.example.com", undefined],
    ["https://app.example.com:8443", undefined],
    ["http://localhost:3000", undefined],
    ["http://127.0.0.1", undefined],
    ["https://xn--bcher-kva.example", undefined],
    ["https://app.example.com/", "an origin"],
    ["https://app.example.com/x", "an origin"],
    ["https://app.example.com?x", "an origin"],
    ["https://App.example.com", "an origin"],
    ["https://app.example.com:443", "an origin"],
    ["com.example.app://x", SCHEME("com.example.app")],
    ["http://example.com", LOOPBACK],
    ["https://*.example.com", "wildcards are not allowed"],
    [" https://app.example.com", "it contains whitespace or control characters"],
    ["https://app.example.com#", "it must not contain a fragment"],
  ])("origin %j: %s", (origin, why) => {
    const problem = originProblem(origin);
    if (why === undefined) expect(problem).toBeUndefined();
    else if (why === "an origin")
      expect(problem).toBe(
        `origin ${quote(origin)} is invalid: an origin is scheme://host[:port] as a browser sends it (lower case, no default port), without path, query or trailing slash`,
      );
    else expect(problem).toBe(`origin ${quote(origin)} is invalid: ${why}`);
  });

  it.each([
    ["https://cdn.example.com/logo.png", undefined],
    ["https://cdn.example.com/logo.svg#icon", undefined],
    ["https://cdn.example.com/a b.png", "size"],
    [`https://cdn.example.com/${"a".repeat(MAX_URL_LENGTH)}`, "size"],
    ["", "form"],
    ["http://cdn.example.com/logo.png", "form"],
    ["http://localhost/logo.png", "form"],
    ["https://u:p@cdn.example.com/logo.png", "form"],
    ["https://cdn.example.com/*.png", undefined],
    ["data:image/png;base64,AAAA", "form"],
  ])("logo %j: %s", (uri, why) => {
    expect(logoUriProblem(uri)).toBe(
      why === undefined
        ? undefined
        : why === "size"
          ? "must be an absolute https URL of at most 2048 characters"
          : "must be an absolute https URL without credentials",
    );
  });

  it("trims a logo, lets an empty one clear it, and refuses a bad one with the rule's words", () => {
    expect(logoUri.parse("  https://cdn.example.com/l.png ")).toBe("https://cdn.example.com/l.png");
    expect(logoUri.parse("")).toBe("");
    expect(logoUri.parse("   ")).toBe("");
    expect(logoUri.safeParse("http://cdn.example.com/l.png").error?.issues.map((i) => [i.code, i.message])).toEqual([
      ["custom", "must be an absolute https URL without credentials"],
    ]);
  });
});

describe("the other client fields", () => {
  it("bounds names, descriptions and lifetimes", () => {
    expect(clientName.parse("  web  ")).toBe("web");
    expect(clientName.safeParse("a".repeat(128)).success).toBe(true);
    expect(clientName.safeParse("a".repeat(129)).success).toBe(false);
    expect(clientDescription.safeParse("a".repeat(1024)).success).toBe(true);
    expect(clientDescription.safeParse("a".repeat(1025)).success).toBe(false);
    for (const [schema, range] of [
      [idTokenLifetime, LIFETIMES.idToken],
      [refreshTokenLifetime, LIFETIMES.refreshToken],
    ] as const) {
      expect(schema.safeParse(range.min).success).toBe(true);
      expect(schema.safeParse(range.max).success).toBe(true);
      expect(schema.safeParse(range.min - 1).success).toBe(false);
      expect(schema.safeParse(range.max + 1).success).toBe(false);
      expect(schema.safeParse(range.min + 0.5).success).toBe(false);
    }
    expect(LIFETIMES).toEqual({ idToken: { min: 60, max: 2_592_000 }, refreshToken: { min: 60, max: 31_536_000 } });
  });

  it("describes each field as the OpenAPI document shows it", () => {
    expect(redirectUriList.description).toBe(
      "redirect URIs: https, http only on a loopback host, or a reverse-domain scheme; no fragment or '*'",
    );
    expect(originList.description).toBe("origins, scheme://host[:port]: https, or http only on a loopback host");
    expect(logoUri.description).toBe('absolute https URL; "" clears it');
    expect(idTokenLifetime.description).toBe("60 to 2592000 seconds");
    expect(refreshTokenLifetime.description).toBe("60 to 31536000 seconds");
  });

  it("splits scope text on any whitespace, dropping repeats and keeping order", () => {
    expect(scopeTokens("openid  profile\temail\nopenid")).toEqual(["openid", "profile", "email"]);
    expect(scopeTokens(" openid ")).toEqual(["openid"]);
    expect(scopeTokens("")).toEqual([]);
  });

  it("knows the grant types and standard scopes", () => {
    expect(GRANT_TYPES).toEqual(["authorization_code", "single_sign_on"]);
    expect(isGrantType("authorization_code")).toBe(true);
    expect(isGrantType("single_sign_on")).toBe(true);
    expect(isGrantType("client_credentials")).toBe(false);
    expect(STANDARD_SCOPES).toEqual(["openid", "profile", "email", "phone", "address", "offline_access"]);
  });

  it("checks a credential's rules in the seed's order, naming the first broken one", () => {
    const ok = { grantType: "authorization_code", name: "web", serviceId: null, scopes: ["openid"] };
    expect(codeOf(() => checkCredentialRules(ok, []))).toBe("OK");
    expect(codeOf(() => checkCredentialRules({ ...ok, grantType: "single_sign_on", name: "", serviceId: 7 }, []))).toBe("OK");
    expect(codeOf(() => checkCredentialRules({ ...ok, scopes: ["openid", "read"] }, ["read"]))).toBe("OK");
    const cases: [Partial<typeof ok> & Record<string, unknown>, string, string][] = [
      [{ grantType: "implicit", name: "", scopes: [] }, "InvalidParameter.GrantType", 'requested grant type "implicit" is invalid'],
      [{ name: "", scopes: [] }, "MissingParameter.Name", "a name is required for a credential with the authorization_code grant type"],
      [
        { grantType: "single_sign_on", serviceId: null, scopes: [] },
        "MissingParameter.ServiceId",
        "a service id is required for the single_sign_on grant type",
      ],
      [{ scopes: [] }, "MissingParameter.Scope", "at least one scope is required"],
      [{ scopes: ["openid", "read", "write"] }, "InvalidParameter.Scope", 'requested scope "write" is invalid'],
    ];
    for (const [change, code, message] of cases) {
      const err = errorOf(() => checkCredentialRules({ ...ok, ...change } as typeof ok, ["read"]));
      expect([err.code, err.message], code).toEqual([code, expect.stringContaining(message)]);
    }
  });

  it("refuses an idle refresh lifetime longer than the combined one only when both are on", () => {
    const state = { hasIdle: true, idleSeconds: 100, hasCombined: true, combinedSeconds: 100 };
    expect(codeOf(() => checkRefreshTokenRules(state))).toBe("OK");
    expect(codeOf(() => checkRefreshTokenRules({ ...state, idleSeconds: 101, hasIdle: false }))).toBe("OK");
    expect(codeOf(() => checkRefreshTokenRules({ ...state, idleSeconds: 101, hasCombined: false }))).toBe("OK");
    const err = errorOf(() => checkRefreshTokenRules({ ...state, idleSeconds: 101 }));
    expect(err.code).toBe("InvalidParameter.RefreshToken.IdleLifetimeSeconds");
    expect(err.message).toContain(
      "IdleLifetimeSeconds (101) must not be greater than CombinedLifetimeSeconds (100) when both lifetimes are on",
    );
  });
});
