// parseAuthentication, header form (docs/spec/signing.md §1): every shape check of the Authorization header
// with its exact error code, and what a well-formed header parses to.
import { describe, expect, it } from "vitest";
import { parseAuthentication } from "../../../../src/control-plane/gateway/signing/verify.js";
import { codeOf, errorOf, request } from "../../../support/unit/support.js";

const SIG = "a".repeat(64);
const CRED = "AK/20251030/cn-beijing/id/request";
const header = (fields: string) => `HMAC-SHA256 ${fields}`;
const good = header(`Credential=${CRED}, SignedHeaders=x-date, Signature=${SIG}`);
const parse = (authorization: string, headers: Record<string, string> = { "X-Date": "20251030T080910Z" }, url = "/?Action=A&Version=V") =>
  parseAuthentication(request("POST", url, { ...headers, Authorization: authorization }));
const codeFor = (authorization: string) => codeOf(() => parse(authorization));

describe("a well-formed Authorization header", () => {
  it("parses to the credential, the signed headers and the lower-cased signature", () => {
    const auth = parse(header(`Credential=${CRED}, SignedHeaders=Host ; X-Date;x-content-sha256, Signature=${"AbCdEf01".repeat(8)}`));
    expect(auth).toEqual({
      form: "header",
      accessKeyId: "AK",
      shortDate: "20251030",
      region: "cn-beijing",
      service: "id",
      xDate: "20251030T080910Z",
      signedHeaders: ["host", "x-date", "x-content-sha256"],
      signature: "abcdef01".repeat(8),
      query: auth.query,
      signedQuery: auth.query,
      expiresSeconds: undefined,
      notSignBody: false,
    });
    expect(auth.query.map((p) => p.nameText)).toEqual(["Action", "Version"]);
  });
  it("accepts the fields in any order, with spaces around names and values", () => {
    const auth = parse(header(` Signature = ${SIG} ,SignedHeaders=x-date,   Credential=${CRED}  `));
    expect([auth.accessKeyId, auth.signature, auth.signedHeaders]).toEqual(["AK", SIG, ["x-date"]]);
  });
  it("takes X-Date from the header, or leaves it empty for the clock check to refuse", () => {
    expect(parse(good, {}).xDate).toBe("");
  });
  it("takes the query pairs the caller already decoded", () => {
    const query = parseAuthentication({ ...request("POST", "/?Action=A", { "X-Date": "x", Authorization: good }), query: [] });
    expect(query.query).toEqual([]);
  });
  it("accepts the punctuation a header name may hold", () => {
    expect(parse(header(`Credential=${CRED}, SignedHeaders=x-date;a!#$%&'*+.^_\`|~-z0, Signature=${SIG}`)).signedHeaders).toEqual([
      "x-date",
      "a!#$%&'*+.^_`|~-z0",
    ]);
  });
});

describe("the algorithm word and the field list", () => {
  it.each([
    ["another algorithm", good.replace("HMAC-SHA256", "AWS4-HMAC-SHA256")],
    ["the algorithm in lower case", good.replace("HMAC-SHA256", "hmac-sha256")],
    ["the algorithm with a suffix", good.replace("HMAC-SHA256 ", "HMAC-SHA256x ")],
    ["nothing after the algorithm", "HMAC-SHA256"],
    ["an empty header", ""],
    ["a field without =", `${good}, Junk`],
    ["an unknown field", `${good}, Region=cn-beijing`],
    ["a repeated Signature", `${good}, Signature=${"b".repeat(64)}`],
    ["a repeated Credential", `${good}, Credential=${CRED}`],
    ["a field name in the wrong case", good.replace("Credential=", "credential=")],
    ["two headers joined", `${good}, ${good}`],
  ])("refuses %s with InvalidAuthorization", (_name, authorization) => {
    expect(codeFor(authorization)).toBe("InvalidAuthorization");
  });
  it("names the expected algorithm and the unexpected field", () => {
    expect(errorOf(() => parse("Bearer x")).message).toContain("HMAC-SHA256");
    expect(errorOf(() => parse(`${good}, Junk`)).message).toMatch(/Name=Value/);
    expect(errorOf(() => parse(`${good}, Region=x`)).message).toContain('"Region"');
    // The echoed name is cut at 32 characters: a message never carries an arbitrary header back.
    expect(errorOf(() => parse(`${good}, ${"N".repeat(40)}=x`)).message).toBe(
      `Authorization has an unexpected or repeated field "${"N".repeat(32)}"`,
    );
  });
});

describe("Credential", () => {
  const withCredential = (credential: string) => codeFor(header(`Credential=${credential}, SignedHeaders=x-date, Signature=${SIG}`));
  it.each([
    ["missing", header(`SignedHeaders=x-date, Signature=${SIG}`)],
    ["empty", header(`Credential=, SignedHeaders=x-date, Signature=${SIG}`)],
  ])("refuses a %s Credential", (_name, authorization) => {
    expect(codeFor(authorization)).toBe("InvalidAuthorization");
    expect(errorOf(() => parse(authorization)).message).toMatch(/Credential/);
  });
  it.each([
    ["four parts", "AK/20251030/cn-beijing/id"],
    ["six parts", "AK/20251030/cn-beijing/id/request/x"],
    ["a last part other than request", "AK/20251030/cn-beijing/id/requests"],
    ["no access key", "/20251030/cn-beijing/id/request"],
    ["no region", "AK/20251030//id/request"],
    ["no service", "AK/20251030/cn-beijing//request"],
    ["a 7-digit date", "AK/2025103/cn-beijing/id/request"],
    ["a 9-digit date", "AK/202510301/cn-beijing/id/request"],
    ["a date with a prefix", "AK/x20251030/cn-beijing/id/request"],
    ["a date with a suffix", "AK/20251030x/cn-beijing/id/request"],
    ["a date with a letter", "AK/2025103a/cn-beijing/id/request"],
  ])("refuses a scope with %s", (_name, credential) => {
    expect(withCredential(credential)).toBe("InvalidAuthorization");
  });
  it("says what a Credential must look like", () => {
    expect(errorOf(() => parse(header(`Credential=AK/1/r/s/request, SignedHeaders=x-date, Signature=${SIG}`))).message).toMatch(
      /<AccessKeyId>\/<YYYYMMDD>/,
    );
  });
});

describe("SignedHeaders", () => {
  const withSigned = (signed: string) => codeFor(header(`Credential=${CRED}, SignedHeaders=${signed}, Signature=${SIG}`));
  it("must be present and include x-date", () => {
    expect(codeFor(header(`Credential=${CRED}, Signature=${SIG}`))).toBe("InvalidAuthorization");
    expect(errorOf(() => parse(header(`Credential=${CRED}, Signature=${SIG}`))).message).toMatch(/SignedHeaders is missing/);
    expect(withSigned("host")).toBe("InvalidAuthorization");
    expect(withSigned("")).toBe("InvalidAuthorization");
    expect(errorOf(() => parse(header(`Credential=${CRED}, SignedHeaders=host, Signature=${SIG}`))).message).toMatch(/x-date/);
    expect(withSigned("X-Date")).toBe("OK");
  });
  it.each([
    ["an empty name between ;", "host;;x-date"],
    ["a trailing ;", "x-date;"],
    ["a space inside a name", "x-date;x custom"],
    ["a colon", "x-date;host:"],
    ["a non-ASCII name", "x-date;é"],
  ])("refuses %s", (_name, signed) => {
    expect(withSigned(signed)).toBe("InvalidAuthorization");
    expect(errorOf(() => parse(header(`Credential=${CRED}, SignedHeaders=${signed}, Signature=${SIG}`))).message).toMatch(/malformed/);
  });
});

describe("Signature", () => {
  const withSignature = (signature: string) => codeFor(header(`Credential=${CRED}, SignedHeaders=x-date, Signature=${signature}`));
  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["63 hex digits", "a".repeat(63)],
    ["65 hex digits", "a".repeat(65)],
    ["a non-hex digit", "g" + "a".repeat(63)],
    ["a prefix", "x" + "a".repeat(64)],
    ["a suffix", "a".repeat(64) + "x"],
  ])("refuses a signature that is %s", (_name, signature) => {
    const authorization = signature === undefined ? header(`Credential=${CRED}, SignedHeaders=x-date`) : undefined;
    expect(authorization ? codeFor(authorization) : withSignature(signature!)).toBe("InvalidAuthorization");
    expect(
      errorOf(() => parse(authorization ?? header(`Credential=${CRED}, SignedHeaders=x-date, Signature=${signature}`))).message,
    ).toMatch(/64 hexadecimal/);
  });
  it("accepts every hex digit in either case", () => {
    expect(
      parse(header(`Credential=${CRED}, SignedHeaders=x-date, Signature=${"0123456789abcdefABCDEF".repeat(3).slice(0, 64)}`)).signature,
    ).toBe("0123456789abcdefABCDEF".repeat(3).slice(0, 64).toLowerCase());
  });
});

describe("no credentials at all", () => {
  it("is MissingAuthenticationToken, also with presigned-looking parameters but no X-Credential", () => {
    expect(codeOf(() => parseAuthentication(request("POST", "/?Action=A&Version=V")))).toBe("MissingAuthenticationToken");
    expect(codeOf(() => parseAuthentication(request("POST", `/?X-Algorithm=HMAC-SHA256&X-Signature=${SIG}`)))).toBe(
      "MissingAuthenticationToken",
    );
  });
});
