// The clock checks (docs/spec/signing.md §6): X-Date's strict format and real calendar times, the skew window
// at exactly ±900 s, a presigned URL's lifetime at X-Expires 1 and 604800, and the Credential date.
import { describe, expect, it } from "vitest";
import { checkTimestamp, parseXDate, type ParsedAuth } from "../../../../src/control-plane/gateway/signing/verify.js";
import { codeOf, errorOf } from "../../../support/unit/support.js";

const NOW = Date.UTC(2025, 9, 30, 8, 9, 10); // 20251030T080910Z
const xDate = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
const auth = (over: Partial<ParsedAuth>): ParsedAuth => ({
  form: "header",
  accessKeyId: "AK",
  shortDate: "20251030",
  region: "cn-beijing",
  service: "id",
  xDate: xDate(NOW),
  signedHeaders: ["x-date"],
  signature: "a".repeat(64),
  query: [],
  signedQuery: [],
  expiresSeconds: undefined,
  notSignBody: false,
  ...over,
});
const at = (offsetSeconds: number, over: Partial<ParsedAuth> = {}) => {
  const x = xDate(NOW + offsetSeconds * 1000);
  return codeOf(() => checkTimestamp(auth({ xDate: x, shortDate: x.slice(0, 8), ...over }), NOW, 900));
};

describe("parseXDate", () => {
  it("reads a valid time to its epoch milliseconds", () => {
    expect(parseXDate("20251030T080910Z")).toBe(NOW);
    expect(parseXDate("20240229T235959Z")).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
    expect(parseXDate("20251231T000000Z")).toBe(Date.UTC(2025, 11, 31, 0, 0, 0));
    expect(parseXDate("20250101T000000Z")).toBe(Date.UTC(2025, 0, 1));
  });
  it.each([
    ["empty", ""],
    ["ISO 8601 with separators", "2025-10-30T08:09:10Z"],
    ["no Z", "20251030T080910"],
    ["lower-case t and z", "20251030t080910z"],
    ["a prefix", "x20251030T080910Z"],
    ["a suffix", "20251030T080910Zx"],
    ["a short year", "2510300T080910Z"],
    ["month 00", "20250030T080910Z"],
    ["month 13", "20251330T080910Z"],
    ["day 00", "20251000T080910Z"],
    ["day 32", "20251032T080910Z"],
    ["31 November", "20251131T080910Z"],
    ["29 February in a common year", "20250229T080910Z"],
    ["hour 24", "20251030T240000Z"],
    ["hour 24 on the last day of a month", "20251031T240000Z"],
    ["minute 60", "20251030T086010Z"],
    ["second 60", "20251030T080960Z"],
  ])("refuses %s", (_name, value) => {
    expect(parseXDate(value)).toBeUndefined();
  });
});

describe("the skew window", () => {
  it("accepts exactly 900 s either way and refuses 901 s", () => {
    expect(at(0)).toBe("OK");
    expect(at(-900)).toBe("OK");
    expect(at(900)).toBe("OK");
    expect(at(-901)).toBe("InvalidTimestamp");
    expect(at(901)).toBe("InvalidTimestamp");
  });
  it("follows the configured skew", () => {
    const x = xDate(NOW - 60_000);
    expect(codeOf(() => checkTimestamp(auth({ xDate: x }), NOW, 60))).toBe("OK");
    expect(codeOf(() => checkTimestamp(auth({ xDate: x }), NOW, 59))).toBe("InvalidTimestamp");
    expect(codeOf(() => checkTimestamp(auth({ xDate: xDate(NOW + 60_000) }), NOW, 59))).toBe("InvalidTimestamp");
  });
  it("says which way the clock is off", () => {
    expect(errorOf(() => checkTimestamp(auth({ xDate: xDate(NOW + 901_000) }), NOW, 900)).message).toMatch(/in the future/);
    expect(errorOf(() => checkTimestamp(auth({ xDate: xDate(NOW - 901_000) }), NOW, 900)).message).toBe(
      "X-Date is outside the allowed clock skew",
    );
  });
  it("refuses a missing or malformed X-Date with InvalidTimestamp", () => {
    for (const bad of ["", "20251030T080910", "20251030T086010Z"]) {
      expect(codeOf(() => checkTimestamp(auth({ xDate: bad }), NOW, 900))).toBe("InvalidTimestamp");
    }
    expect(errorOf(() => checkTimestamp(auth({ xDate: "" }), NOW, 900)).message).toMatch(/YYYYMMDDTHHMMSSZ/);
  });
  it("ignores expiresSeconds for the header form", () => {
    expect(at(-901, { expiresSeconds: 3600 })).toBe("InvalidTimestamp");
    expect(at(-900, { expiresSeconds: 1 })).toBe("OK");
  });
});

describe("a presigned URL's lifetime", () => {
  const presigned = (offset: number, expiresSeconds: number | undefined) =>
    at(offset, { form: "query", signedHeaders: [], expiresSeconds });
  it("lasts X-Expires seconds from X-Date: 1 s", () => {
    expect(presigned(-1, 1)).toBe("OK");
    expect(presigned(-2, 1)).toBe("InvalidTimestamp");
  });
  it("lasts X-Expires seconds from X-Date: 604800 s", () => {
    expect(presigned(-604800, 604800)).toBe("OK");
    expect(presigned(-604801, 604800)).toBe("InvalidTimestamp");
  });
  it("lasts the skew window without X-Expires", () => {
    expect(presigned(-900, undefined)).toBe("OK");
    expect(presigned(-901, undefined)).toBe("InvalidTimestamp");
  });
  it("is never dated in the future beyond the skew, whatever X-Expires says", () => {
    expect(presigned(900, 604800)).toBe("OK");
    expect(presigned(901, 604800)).toBe("InvalidTimestamp");
  });
  it("says the URL expired", () => {
    const x = xDate(NOW - 2000);
    expect(errorOf(() => checkTimestamp(auth({ form: "query", xDate: x, expiresSeconds: 1 }), NOW, 900)).message).toBe(
      "the presigned request has expired",
    );
  });
});

describe("the Credential date", () => {
  it("must be X-Date's day: SignatureNotMatch otherwise, once the clock checks pass", () => {
    const x = xDate(Date.UTC(2025, 9, 30, 0, 0, 5));
    const now = Date.UTC(2025, 9, 30, 0, 0, 10);
    expect(codeOf(() => checkTimestamp(auth({ xDate: x, shortDate: "20251030" }), now, 900))).toBe("OK");
    expect(codeOf(() => checkTimestamp(auth({ xDate: x, shortDate: "20251029" }), now, 900))).toBe("SignatureNotMatch");
    expect(errorOf(() => checkTimestamp(auth({ xDate: x, shortDate: "20251029" }), now, 900)).message).toMatch(/Credential date/);
    expect(codeOf(() => checkTimestamp(auth({ xDate: xDate(now - 3600_000), shortDate: "20251029" }), now, 900))).toBe("InvalidTimestamp");
  });
});
