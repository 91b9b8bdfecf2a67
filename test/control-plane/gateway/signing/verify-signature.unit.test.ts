// verifySignature against canonical requests written out by hand and signed by the independent test
// signer: what each part of the request contributes, the X-Content-Sha256 comparison, a signed header
// missing from the request, unsorted SignedHeaders, every header-value policy, and the presigned body.
import { describe, expect, it } from "vitest";
import { deriveSigningKey } from "../../../../src/platform/crypto/signature-hash.js";
import { parseAuthentication, verifySignature, type ParsedAuth } from "../../../../src/control-plane/gateway/signing/verify.js";
import { canonicalQuery, encode, sha256hex, signature } from "../../../support/signer.js";
import { request, utf8 } from "../../../support/unit/support.js";

const X_DATE = "20251030T080910Z";
const SK = "test-secret";
let signingKey: Uint8Array | undefined;
// Derived on first use inside a test, never while the file is collected (see test/support/unit/support.ts).
const keyOf = () => (signingKey ??= deriveSigningKey(SK, "20251030", "cn-beijing", "id"));
const sign = (canonical: string) => signature({ secretKey: SK, region: "cn-beijing", service: "id", xDate: X_DATE } as never, canonical);
const authHeader = (signedHeaders: string, canonical: string) =>
  `HMAC-SHA256 Credential=AK/20251030/cn-beijing/id/request, SignedHeaders=${signedHeaders}, Signature=${sign(canonical)}`;

/** Verifies a header-form request whose canonical form the test wrote out itself. */
function verifyHeader(o: {
  method?: string;
  url?: string;
  headers: Record<string, string>;
  signedHeaders: string;
  canonical: string;
  body?: string;
  withKey?: Uint8Array;
}) {
  const req = request(o.method ?? "POST", o.url ?? "/", { ...o.headers, Authorization: authHeader(o.signedHeaders, o.canonical) });
  return verifySignature(parseAuthentication(req), req, utf8(o.body ?? ""), o.withKey ?? keyOf());
}
const block = (lines: string[]) => lines.map((l) => `${l}\n`).join("");
const EMPTY = sha256hex("");

describe("header form", () => {
  const canonical = (body: string, query = "") => ["POST", "/", query, block([`x-date:${X_DATE}`]), "x-date", sha256hex(body)].join("\n");

  it("accepts the signed request and refuses another body, method, key or scope", () => {
    const c = canonical("{}");
    expect(verifyHeader({ headers: { "X-Date": X_DATE }, signedHeaders: "x-date", canonical: c, body: "{}" })).toBe(true);
    expect(verifyHeader({ headers: { "X-Date": X_DATE }, signedHeaders: "x-date", canonical: c, body: "{ }" })).toBe(false);
    expect(verifyHeader({ method: "PUT", headers: { "X-Date": X_DATE }, signedHeaders: "x-date", canonical: c, body: "{}" })).toBe(false);
    expect(
      verifyHeader({
        headers: { "X-Date": X_DATE },
        signedHeaders: "x-date",
        canonical: c,
        body: "{}",
        withKey: deriveSigningKey("other", "20251030", "cn-beijing", "id"),
      }),
    ).toBe(false);
    const req = request("POST", "/", { "X-Date": X_DATE, Authorization: authHeader("x-date", c) });
    const auth = parseAuthentication(req);
    expect(verifySignature({ ...auth, region: "cn-shanghai" }, req, utf8("{}"), keyOf())).toBe(false);
    expect(verifySignature({ ...auth, service: "iam" }, req, utf8("{}"), keyOf())).toBe(false);
    expect(verifySignature({ ...auth, shortDate: "20251031" }, req, utf8("{}"), keyOf())).toBe(false);
  });

  it("upper-cases the method as the SDKs do", () => {
    expect(
      verifyHeader({ method: "post", headers: { "X-Date": X_DATE }, signedHeaders: "x-date", canonical: canonical(""), body: "" }),
    ).toBe(true);
  });

  it("signs the query the request carries", () => {
    const c = canonical("", "Action=A&Version=V");
    expect(verifyHeader({ url: "/?Version=V&Action=A", headers: { "X-Date": X_DATE }, signedHeaders: "x-date", canonical: c })).toBe(true);
    expect(verifyHeader({ url: "/?Version=V&Action=B", headers: { "X-Date": X_DATE }, signedHeaders: "x-date", canonical: c })).toBe(false);
  });

  it("compares an unsigned X-Content-Sha256 with the body's real hash", () => {
    const c = canonical("{}");
    const base = { signedHeaders: "x-date", canonical: c, body: "{}" };
    expect(verifyHeader({ ...base, headers: { "X-Date": X_DATE, "X-Content-Sha256": "0".repeat(64) } })).toBe(false);
    expect(verifyHeader({ ...base, headers: { "X-Date": X_DATE, "X-Content-Sha256": "" } })).toBe(false);
    expect(verifyHeader({ ...base, headers: { "X-Date": X_DATE, "X-Content-Sha256": ` ${sha256hex("{}").toUpperCase()} ` } })).toBe(true);
    expect(verifyHeader({ ...base, headers: { "X-Date": X_DATE } })).toBe(true);
  });

  it("answers false, not an error, when a signed header is missing from the request", () => {
    const c = ["POST", "/", "", block(["x-a:1", `x-date:${X_DATE}`]), "x-a;x-date", EMPTY].join("\n");
    expect(verifyHeader({ headers: { "X-Date": X_DATE, "X-A": "1" }, signedHeaders: "x-a;x-date", canonical: c })).toBe(true);
    expect(verifyHeader({ headers: { "X-Date": X_DATE }, signedHeaders: "x-a;x-date", canonical: c })).toBe(false);
  });

  it("sorts the header block but signs SignedHeaders in the order given", () => {
    const c = ["POST", "/", "", block(["x-a:1", `x-date:${X_DATE}`]), "x-date;x-a", EMPTY].join("\n");
    expect(verifyHeader({ headers: { "X-Date": X_DATE, "X-A": "1" }, signedHeaders: "x-date;x-a", canonical: c })).toBe(true);
  });

  it("joins several signed headers with ;", () => {
    const c = ["POST", "/", "", block(["x-a:1", "x-b:2", `x-date:${X_DATE}`]), "x-a;x-b;x-date", EMPTY].join("\n");
    expect(verifyHeader({ headers: { "X-Date": X_DATE, "X-A": "1", "X-B": "2" }, signedHeaders: "x-a;x-b;x-date", canonical: c })).toBe(
      true,
    );
  });
});

describe("header values under each signer's policy", () => {
  const withValues = (values: Record<string, string>, signedValues: Record<string, string>) => {
    const names = Object.keys(values).sort();
    const c = [
      "POST",
      "/",
      "",
      block([...names.map((n) => `${n}:${signedValues[n]}`), `x-date:${X_DATE}`]),
      [...names, "x-date"].join(";"),
      EMPTY,
    ].join("\n");
    return verifyHeader({ headers: { "X-Date": X_DATE, ...values }, signedHeaders: [...names, "x-date"].join(";"), canonical: c });
  };
  it("accepts a value signed trimmed (Go, Java), collapsed (Node) or as sent (Python)", () => {
    for (const signed of ["a   b", "a b", "  a   b  "])
      expect(withValues({ "x-a": "  a   b  " }, { "x-a": signed }), JSON.stringify(signed)).toBe(true);
    expect(withValues({ "x-a": "  a   b  " }, { "x-a": " a b " })).toBe(false);
  });
  it("accepts a collapsed value that needed no trimming", () => {
    expect(withValues({ "x-a": "a  b" }, { "x-a": "a b" })).toBe(true);
  });
  it("accepts a value signed as sent that needed trimming only", () => {
    expect(withValues({ "x-a": " ab " }, { "x-a": " ab " })).toBe(true);
  });
  it("keeps the widest policy any header needs, whatever the order of the headers", () => {
    expect(withValues({ "x-a": " v ", "x-b": "a  b" }, { "x-a": " v ", "x-b": "a  b" })).toBe(true);
    expect(withValues({ "x-a": "a  b", "x-b": " v " }, { "x-a": "a  b", "x-b": " v " })).toBe(true);
    expect(withValues({ "x-a": "a  b", "x-b": " v " }, { "x-a": "a b", "x-b": "v" })).toBe(true);
  });
  it("tries the policy a header needs even when it is the only signed header", () => {
    // parseAuthentication always asks for x-date, a value every policy leaves alone; verifySignature must not lean on it.
    const only = (value: string, signedValue: string) => {
      const c = ["POST", "/", "", block([`x-a:${signedValue}`]), "x-a", EMPTY].join("\n");
      const parsed = parseAuthentication(request("POST", "/", { "X-Date": X_DATE, Authorization: authHeader("x-date", c) }));
      return verifySignature({ ...parsed, signedHeaders: ["x-a"] }, request("POST", "/", { "X-A": value }), utf8(""), keyOf());
    };
    expect(only("a  b", "a b")).toBe(true);
    expect(only(" ab ", " ab ")).toBe(true);
    expect(only(" ab ", "ab")).toBe(true);
  });
  it("signs host trimmed and without a default port", () => {
    const c = ["POST", "/", "", block(["host:id.example.com", `x-date:${X_DATE}`]), "host;x-date", EMPTY].join("\n");
    expect(verifyHeader({ headers: { "X-Date": X_DATE, Host: " id.example.com:443 " }, signedHeaders: "host;x-date", canonical: c })).toBe(
      true,
    );
    expect(verifyHeader({ headers: { "X-Date": X_DATE, Host: "id.example.com:8443" }, signedHeaders: "host;x-date", canonical: c })).toBe(
      false,
    );
  });
});

describe("paths and repeated query values", () => {
  const withPath = (sentPath: string, signedPath: string) =>
    verifyHeader({
      url: sentPath,
      headers: { "X-Date": X_DATE },
      signedHeaders: "x-date",
      canonical: ["POST", signedPath, "", block([`x-date:${X_DATE}`]), "x-date", EMPTY].join("\n"),
    });
  it("accepts a path signed as sent (Node) or segment-encoded (Go, Java, Python)", () => {
    expect(withPath("/a b/c+d", "/a b/c+d")).toBe(true);
    expect(withPath("/a b/c+d", "/a%20b/c%2Bd")).toBe(true);
    expect(withPath("/a b/c+d", "/a%20b/c%20d")).toBe(false);
    expect(withPath("", "/")).toBe(true);
  });
  it("accepts repeated values signed in wire order (Go) or sorted (Node)", () => {
    for (const order of ["wire", "sorted"] as const) {
      const c = [
        "POST",
        "/",
        canonicalQuery(
          [
            ["K", "b"],
            ["K", "a"],
          ],
          order,
        ),
        block([`x-date:${X_DATE}`]),
        "x-date",
        EMPTY,
      ].join("\n");
      expect(verifyHeader({ url: "/?K=b&K=a", headers: { "X-Date": X_DATE }, signedHeaders: "x-date", canonical: c }), order).toBe(true);
    }
  });
});

describe("query form", () => {
  const credential: [string, string][] = [
    ["Action", "ListUsers"],
    ["Version", "2025-10-30"],
    ["X-Algorithm", "HMAC-SHA256"],
    ["X-Credential", "AK/20251030/cn-beijing/id/request"],
    ["X-Date", X_DATE],
    ["X-SignedHeaders", ""],
  ];
  /** Presigns `pairs` for `method` over `bodyHash`, with no signed headers (the block is a lone "\n"). */
  function presigned(method: string, pairs: [string, string][], bodyHash: string) {
    const canonical = [method, "/", canonicalQuery(pairs), "\n", "", bodyHash].join("\n");
    const url = `/?${[...pairs, ["X-Signature", sign(canonical)] as [string, string]].map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&")}`;
    const req = request(method, url);
    return { req, auth: parseAuthentication(req) };
  }
  const check = (p: { req: ReturnType<typeof request>; auth: ParsedAuth }, body: string) =>
    verifySignature(p.auth, p.req, utf8(body), keyOf());

  it("signs the hash of the empty body when X-NotSignBody is signed", () => {
    const p = presigned("GET", [...credential, ["X-NotSignBody", ""]], EMPTY);
    expect(check(p, "")).toBe(true);
    expect(check(presigned("GET", [...credential, ["X-NotSignBody", ""]], sha256hex("{}")), "{}")).toBe(false);
  });

  it("signs the body's real hash without X-NotSignBody", () => {
    const p = presigned("POST", credential, sha256hex(`{"A":1}`));
    expect(check(p, `{"A":1}`)).toBe(true);
    expect(check(p, `{"A":2}`)).toBe(false);
    expect(check(presigned("POST", credential, EMPTY), `{"A":1}`)).toBe(false);
  });

  it("builds the canonical query from the covered pairs only", () => {
    const p = presigned("GET", [...credential, ["PageSize", "3"]], EMPTY);
    expect(check(p, "")).toBe(true);
    expect(check({ ...p, auth: { ...p.auth, signedQuery: p.auth.signedQuery.filter((q) => q.nameText !== "PageSize") } }, "")).toBe(false);
  });

  it("is refused when it names a signed header that was not signed into the block", () => {
    const p = presigned("GET", [...credential.filter(([k]) => k !== "X-SignedHeaders"), ["X-SignedHeaders", "x-a"]], EMPTY);
    expect(verifySignature(p.auth, { ...p.req, header: (n) => (n === "x-a" ? "1" : undefined) }, utf8(""), keyOf())).toBe(false);
  });
});
