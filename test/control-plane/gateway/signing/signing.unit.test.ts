// The signature verifier on its own: docs/spec/signing.md's worked example, canonicalization across the
// official SDKs' differences, and malformed credentials. No server, no database.
import { describe, expect, it } from "vitest";
import { canonicalHost, canonicalPaths, canonicalQueries, parseQuery } from "../../../../src/control-plane/gateway/signing/canonical.js";
import { deriveSigningKey } from "../../../../src/platform/crypto/signature-hash.js";
import {
  checkTimestamp,
  parseAuthentication,
  verifySignature,
  type IncomingSignedRequest,
} from "../../../../src/control-plane/gateway/signing/verify.js";
import type { ApiError } from "../../../../src/core/errors.js";
import { authorizationHeader, canonicalRequest, sha256hex, type SignInput } from "../../../support/signer.js";

const example = {
  ak: "AKLTexampleAccessKeyId000",
  sk: "ZXhhbXBsZVNlY3JldEtleQ==",
  xDate: "20251030T080910Z",
  body: `{"Name":"n 1","Nested":{"a":[1,2],"b":null},"Unicode":"é中","Special":"*~+&="}`,
};

function request(method: string, url: string, headers: Record<string, string>): IncomingSignedRequest {
  const q = url.indexOf("?");
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method, rawPath: q === -1 ? url : url.slice(0, q), rawQuery: q === -1 ? "" : url.slice(q + 1), header: (n) => lower[n] };
}

const key = (sk = example.sk, date = example.xDate.slice(0, 8)) => deriveSigningKey(sk, date, "cn-beijing", "id");
const bytes = (s: string) => new TextEncoder().encode(s);
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return "OK";
  } catch (e) {
    return (e as ApiError).code;
  }
};

describe("docs/spec/signing.md worked example", () => {
  const headers = { "X-Date": example.xDate, "X-Content-Sha256": sha256hex(example.body) };
  const input: SignInput = {
    method: "POST",
    path: "/",
    query: [
      ["Action", "CreateThing"],
      ["Version", "2025-10-30"],
    ],
    headers,
    body: example.body,
    accessKeyId: example.ak,
    secretKey: example.sk,
    region: "cn-beijing",
    service: "id",
    xDate: example.xDate,
  };

  it("reproduces the canonical request and signature of the spec", () => {
    expect(sha256hex(example.body)).toBe("b80af213cb34e22ae7b6ec8c31810430500a39a6e00a7c2a3ff9390ca17e1359");
    expect(canonicalRequest(input).canonical).toBe(
      "POST\n/\nAction=CreateThing&Version=2025-10-30\n" +
        "x-content-sha256:b80af213cb34e22ae7b6ec8c31810430500a39a6e00a7c2a3ff9390ca17e1359\nx-date:20251030T080910Z\n\n" +
        "x-content-sha256;x-date\nb80af213cb34e22ae7b6ec8c31810430500a39a6e00a7c2a3ff9390ca17e1359",
    );
    expect(authorizationHeader(input)).toContain("Signature=01148550a23db10f7b9fb57ee85484ec493bf052681c8c18fa9036879dac9b8d");
  });

  it("is accepted by the server's verifier, and a one-byte change is not", () => {
    const req = request("POST", "/?Action=CreateThing&Version=2025-10-30", { ...headers, Authorization: authorizationHeader(input) });
    const auth = parseAuthentication(req);
    expect(auth).toMatchObject({ accessKeyId: example.ak, region: "cn-beijing", service: "id", shortDate: "20251030" });
    expect(verifySignature(auth, req, bytes(example.body), key())).toBe(true);
    expect(verifySignature(auth, req, bytes(example.body.replace("n 1", "n 2")), key())).toBe(false);
    expect(verifySignature(auth, req, bytes(example.body), key("wrong-secret"))).toBe(false);
  });
});

describe("canonical query", () => {
  const canon = (raw: string) => canonicalQueries(parseQuery(raw));
  it("treats spaces sent as + and as %20 alike, and encodes them as %20", () => {
    expect(canon("Name=a+b")).toEqual(["Name=a%20b"]);
    expect(canon("Name=a%20b")).toEqual(["Name=a%20b"]);
    expect(canon("Name=a%2Bb")).toEqual(["Name=a%2Bb"]);
  });
  it("escapes * and keeps ~, whatever the sender did", () => {
    expect(canon("X=*~")).toEqual(["X=%2A~"]);
    expect(canon("X=%2A%7E")).toEqual(["X=%2A~"]);
    expect(canon("X=!'()")).toEqual(["X=%21%27%28%29"]);
  });
  it("encodes UTF-8 bytes with upper-case hex", () => {
    expect(canon("Name=%C3%A9%E4%B8%AD")).toEqual(["Name=%C3%A9%E4%B8%AD"]);
    expect(canon("Name=%c3%a9")).toEqual(["Name=%C3%A9"]);
  });
  it("sorts names by bytes and offers wire and sorted orders for repeated values", () => {
    expect(canon("b=1&Version=x&a=2")).toEqual(["Version=x&a=2&b=1"]);
    expect(canon("K=2&K=1")).toEqual(["K=2&K=1", "K=1&K=2"]);
    expect(canon("K=1&K=2")).toEqual(["K=1&K=2"]);
  });
  it("keeps the = of empty values and survives malformed escapes", () => {
    expect(canon("A=&B")).toEqual(["A=&B="]);
    expect(canon("A=%zz%")).toEqual(["A=%25zz%25"]);
  });
});

describe("paths, hosts and header values", () => {
  it("offers the path as sent and segment-encoded", () => {
    expect(canonicalPaths("/")).toEqual(["/"]);
    expect(canonicalPaths("/a b/c")).toEqual(["/a b/c", "/a%20b/c"]);
  });
  it("drops default ports from host", () => {
    expect(canonicalHost("example.com:443")).toBe("example.com");
    expect(canonicalHost("example.com:80")).toBe("example.com");
    expect(canonicalHost("example.com:8080")).toBe("example.com:8080");
  });
  it("accepts a header value signed collapsed (Node) or trimmed (Go)", () => {
    const body = "{}";
    const base = {
      method: "POST",
      path: "/",
      query: [] as [string, string][],
      body,
      accessKeyId: "AK",
      secretKey: "sk",
      region: "cn-beijing",
      service: "id",
      xDate: example.xDate,
    };
    const sent = { "X-Date": example.xDate, "X-Custom": "  a   b  " };
    const collapsed = authorizationHeader({ ...base, headers: { ...sent, "X-Custom": "a b" } });
    const trimmed = authorizationHeader({ ...base, headers: { ...sent, "X-Custom": "a   b" } });
    for (const authorization of [collapsed, trimmed]) {
      const req = request("POST", "/", { ...sent, Authorization: authorization });
      expect(verifySignature(parseAuthentication(req), req, bytes(body), key("sk"))).toBe(true);
    }
  });
  it("signs host without its default port (Go and Java drop it)", () => {
    const base = {
      method: "POST",
      path: "/",
      query: [] as [string, string][],
      body: "",
      accessKeyId: "AK",
      secretKey: "sk",
      region: "cn-beijing",
      service: "id",
      xDate: example.xDate,
    };
    const authorization = authorizationHeader({ ...base, headers: { Host: "id.example.com", "X-Date": example.xDate } });
    const req = request("POST", "/", { Host: "id.example.com:443", "X-Date": example.xDate, Authorization: authorization });
    expect(verifySignature(parseAuthentication(req), req, bytes(""), key("sk"))).toBe(true);
  });
});

describe("malformed credentials", () => {
  const good = `HMAC-SHA256 Credential=AK/20251030/cn-beijing/id/request, SignedHeaders=x-date, Signature=${"a".repeat(64)}`;
  const parse = (authorization?: string, query = "") =>
    codeOf(() =>
      parseAuthentication(
        request("POST", `/${query}`, { "X-Date": example.xDate, ...(authorization !== undefined && { Authorization: authorization }) }),
      ),
    );

  it("accepts the fields in any order", () => {
    expect(parse(`HMAC-SHA256 Signature=${"a".repeat(64)},SignedHeaders=x-date ,  Credential=AK/20251030/cn-beijing/id/request`)).toBe(
      "OK",
    );
  });
  it.each([
    ["another algorithm", good.replace("HMAC-SHA256", "AWS4-HMAC-SHA256")],
    ["no Credential", `HMAC-SHA256 SignedHeaders=x-date, Signature=${"a".repeat(64)}`],
    ["a short scope", good.replace("/cn-beijing/id/request", "/cn-beijing/id")],
    ["a bad date in the scope", good.replace("20251030", "2025103")],
    ["x-date not signed", good.replace("SignedHeaders=x-date", "SignedHeaders=host")],
    ["a non-hex signature", good.replace("a".repeat(64), "z".repeat(64))],
    ["a short signature", good.replace("a".repeat(64), "a".repeat(63))],
    ["a field without =", good + ", Junk"],
    ["nothing after the algorithm", "HMAC-SHA256"],
    ["a repeated field", good + ", Signature=" + "b".repeat(64)],
    ["an unknown field", good + ", Region=cn-beijing"],
    ["two headers joined", good + ", " + good],
  ])("refuses %s with InvalidAuthorization", (_name, header) => {
    expect(parse(header)).toBe("InvalidAuthorization");
  });
  it("says MissingAuthenticationToken when nothing is signed", () => {
    expect(parse(undefined, "?Action=GetUserPool")).toBe("MissingAuthenticationToken");
  });
});

describe("X-Date", () => {
  const now = Date.UTC(2025, 9, 30, 8, 9, 10);
  const check = (xDate: string, skew = 900) =>
    codeOf(() => {
      const auth = parseAuthentication(
        request("POST", "/", {
          "X-Date": xDate,
          Authorization: `HMAC-SHA256 Credential=AK/20251030/cn-beijing/id/request, SignedHeaders=x-date, Signature=${"a".repeat(64)}`,
        }),
      );
      checkTimestamp(auth, now, skew);
    });
  it("accepts the skew window both ways and refuses beyond it", () => {
    expect(check("20251030T080910Z")).toBe("OK");
    expect(check("20251030T075410Z")).toBe("OK");
    expect(check("20251030T082410Z")).toBe("OK");
    expect(check("20251030T075409Z")).toBe("InvalidTimestamp");
    expect(check("20251030T082411Z")).toBe("InvalidTimestamp");
  });
  it("refuses malformed and impossible times", () => {
    for (const bad of ["", "2025-10-30T08:09:10Z", "20251030T080910", "20251330T080910Z", "20251030T250910Z", "20250230T080910Z"]) {
      expect(check(bad)).toBe("InvalidTimestamp");
    }
  });
});
