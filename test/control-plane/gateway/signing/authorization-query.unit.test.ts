// parseAuthentication, query form (presigned URLs, docs/spec/signing.md §5): the shape checks with their exact
// codes, the X-Expires range at both ends, which pairs the signature covers, and the body flag.
// The rules that issue 10 adds (unsigned control parameters refused) are in presigned-rules.test.ts.
import { describe, expect, it } from "vitest";
import { parseAuthentication, type ParsedAuth } from "../../../../src/control-plane/gateway/signing/verify.js";
import { encode } from "../../../support/signer.js";
import { codeOf, errorOf, request } from "../../../support/unit/support.js";

const SIG = "b".repeat(64);
const base: [string, string][] = [
  ["Action", "ListUsers"],
  ["Version", "2025-10-30"],
  ["X-Algorithm", "HMAC-SHA256"],
  ["X-Credential", "AK/20251030/cn-beijing/id/request"],
  ["X-Date", "20251030T080910Z"],
  ["X-SignedHeaders", ""],
];
const qs = (pairs: [string, string][]) => pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&");
const parse = (pairs: [string, string][]): ParsedAuth => parseAuthentication(request("GET", `/?${qs(pairs)}`));
const without = (name: string) => base.filter(([k]) => k !== name);
const names = (auth: ParsedAuth) => auth.signedQuery.map((p) => p.nameText);
const withQueries = (signed: string, extra: [string, string][] = []) =>
  [...base, ...extra, ["X-SignedQueries", signed], ["X-Signature", SIG]] as [string, string][];
const ALL_SIGNED = "Action;Version;X-Algorithm;X-Credential;X-Date;X-SignedHeaders";

describe("a well-formed presigned query", () => {
  it("parses to the credential, no signed headers, and what the signature covers", () => {
    const auth = parse([...base, ["X-Signature", SIG.toUpperCase()]]);
    expect(auth).toEqual({
      form: "query",
      accessKeyId: "AK",
      shortDate: "20251030",
      region: "cn-beijing",
      service: "id",
      xDate: "20251030T080910Z",
      signedHeaders: [],
      signature: SIG,
      query: auth.query,
      signedQuery: auth.signedQuery,
      expiresSeconds: undefined,
      notSignBody: false,
    });
    expect(auth.query).toHaveLength(base.length + 1);
  });
  it("covers every pair but X-Signature when X-SignedQueries is absent", () => {
    expect(names(parse([["X-Signature", SIG], ...base, ["Extra", "1"]]))).toEqual([...base.map(([k]) => k), "Extra"]);
  });
  it("covers exactly the names in X-SignedQueries when it is present, and refuses any other", () => {
    const auth = parse(withQueries(`${ALL_SIGNED};Extra`, [["Extra", "1"]]));
    expect(names(auth)).toEqual([...base.map(([k]) => k), "Extra"]);
    // docs/spec/signing.md §5: a parameter the signature does not cover is refused, never read or ignored.
    expect(
      codeOf(() =>
        parse(
          withQueries(`${ALL_SIGNED};Extra`, [
            ["Extra", "1"],
            ["Other", "2"],
          ]),
        ),
      ),
    ).toBe("InvalidAuthorization");
  });
  it("takes X-SignedHeaders when given, and none when it is missing", () => {
    expect(parse([...without("X-SignedHeaders"), ["X-Signature", SIG]]).signedHeaders).toEqual([]);
    expect(parse([...without("X-SignedHeaders"), ["X-SignedHeaders", "Host;x-date"], ["X-Signature", SIG]]).signedHeaders).toEqual([
      "host",
      "x-date",
    ]);
  });
  it("leaves X-Date empty when missing, for the clock check to refuse", () => {
    expect(parse([...without("X-Date"), ["X-Signature", SIG]]).xDate).toBe("");
  });
  it("reads X-NotSignBody as present or absent, whatever its value", () => {
    expect(parse([...base, ["X-NotSignBody", ""], ["X-Signature", SIG]]).notSignBody).toBe(true);
    expect(parse([...base, ["X-NotSignBody", "0"], ["X-Signature", SIG]]).notSignBody).toBe(true);
    expect(parse([...base, ["X-Signature", SIG]]).notSignBody).toBe(false);
  });
});

describe("shape checks", () => {
  it("refuses a missing or other X-Algorithm with InvalidAuthorization", () => {
    for (const pairs of [
      without("X-Algorithm"),
      [...without("X-Algorithm"), ["X-Algorithm", "HMAC-SHA1"]],
      [...without("X-Algorithm"), ["X-Algorithm", "hmac-sha256"]],
    ] as [string, string][][]) {
      expect(codeOf(() => parse([...pairs, ["X-Signature", SIG]]))).toBe("InvalidAuthorization");
    }
    expect(errorOf(() => parse([...without("X-Algorithm"), ["X-Signature", SIG]])).message).toContain("X-Algorithm must be HMAC-SHA256");
  });
  it("refuses a malformed X-Credential or X-Signature with InvalidAuthorization", () => {
    expect(codeOf(() => parse([...without("X-Credential"), ["X-Credential", "AK/20251030/cn-beijing/id"], ["X-Signature", SIG]]))).toBe(
      "InvalidAuthorization",
    );
    expect(codeOf(() => parse(base))).toBe("InvalidAuthorization");
    expect(codeOf(() => parse([...base, ["X-Signature", "b".repeat(63)]]))).toBe("InvalidAuthorization");
  });
  it("refuses malformed X-SignedHeaders", () => {
    expect(codeOf(() => parse([...without("X-SignedHeaders"), ["X-SignedHeaders", "x date"], ["X-Signature", SIG]]))).toBe(
      "InvalidAuthorization",
    );
  });
  it("is MissingAuthenticationToken without X-Credential", () => {
    expect(codeOf(() => parse([...without("X-Credential"), ["X-Signature", SIG]]))).toBe("MissingAuthenticationToken");
    expect(errorOf(() => parse(without("X-Credential"))).message).toBe("the request is not signed");
  });
});

describe("X-Expires", () => {
  const expiring = (value: string) => [...base, ["X-Expires", value], ["X-Signature", SIG]] as [string, string][];
  it.each(["1", "60", "604800", "0000001", "0604800"])("accepts %s seconds", (value) => {
    expect(parse(expiring(value)).expiresSeconds).toBe(Number(value));
  });
  it.each(["0", "0000000", "604801", "9999999", "12345678", "-5", "abc", "", "1.5", "1e3", " 5", "5 ", "abc5", "5abc", "0x10"])(
    "refuses %j with InvalidAuthorization",
    (value) => {
      expect(codeOf(() => parse(expiring(value)))).toBe("InvalidAuthorization");
      expect(errorOf(() => parse(expiring(value))).message).toBe("X-Expires must be 1 to 604800 seconds");
    },
  );
  it("is undefined when absent", () => {
    expect(parse([...base, ["X-Signature", SIG]]).expiresSeconds).toBeUndefined();
  });
});

describe("X-SignedQueries must cover Action and Version", () => {
  it.each(["Action", "Version"])("refuses a signature that leaves %s out", (name) => {
    const signed = ALL_SIGNED.split(";")
      .filter((n) => n !== name)
      .join(";");
    expect(codeOf(() => parse(withQueries(signed)))).toBe("InvalidAuthorization");
    expect(errorOf(() => parse(withQueries(signed))).message).toBe(
      `the query parameter "${name}" is not covered by the signature (X-SignedQueries)`,
    );
  });
  it("does not ask it to cover an Action or Version the query does not have", () => {
    const pairs = withQueries("X-Algorithm;X-Credential;X-Date;X-SignedHeaders").filter(([k]) => k !== "Action" && k !== "Version");
    expect(names(parse(pairs))).toEqual(["X-Algorithm", "X-Credential", "X-Date", "X-SignedHeaders"]);
  });
});

describe("the parameters the signature binds without X-SignedQueries listing them", () => {
  it("accepts X-Algorithm, X-Credential, X-Date, X-SignedHeaders, X-SignedQueries and X-Signature outside the list", () => {
    // Each enters the string to sign, the canonical request or the choice of signed pairs: changing
    // one breaks the HMAC, so leaving it out of X-SignedQueries loses nothing.
    const auth = parse(withQueries("Action;Version"));
    expect(names(auth)).toEqual(["Action", "Version"]);
    expect([auth.accessKeyId, auth.xDate, auth.signedHeaders]).toEqual(["AK", "20251030T080910Z", []]);
  });
  it("names an uncovered parameter in the refusal, cut to 64 characters", () => {
    const long = `X-${"L".repeat(100)}`;
    expect(errorOf(() => parse(withQueries(ALL_SIGNED, [[long, "1"]]))).message).toBe(
      `the query parameter "${long.slice(0, 64)}" is not covered by the signature (X-SignedQueries)`,
    );
  });
});
