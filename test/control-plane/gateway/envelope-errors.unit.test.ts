// The response envelope and the error catalog: request ids, the success and error shapes, the
// HTTP status and CodeN of every catalog family, and the refusal of codes outside the catalog.
import { describe, expect, it } from "vitest";
import {
  API_VERSION,
  apiResponse,
  errorEnvelope,
  newRequestId,
  SERVICE_NAME,
  successEnvelope,
} from "../../../src/control-plane/gateway/envelope.js";
import { formatTime } from "../../../src/core/time.js";
import { ApiError, errors } from "../../../src/core/errors.js";

const ctx = { requestId: "RID", action: "GetUser", version: API_VERSION, region: "cn-beijing" };

describe("request ids", () => {
  it("are the UTC time to the second and 18 upper-case hex characters", () => {
    expect(newRequestId(new Date(Date.UTC(2025, 9, 30, 8, 9, 10, 999)))).toMatch(/^20251030080910[0-9A-F]{18}$/);
    expect(newRequestId()).toMatch(/^\d{14}[0-9A-F]{18}$/);
  });
  it("stay well-formed and distinct past the end of each block of random bytes", () => {
    const ids = Array.from({ length: 1200 }, () => newRequestId(new Date(0)));
    for (const id of ids) expect(id).toMatch(/^19700101000000[0-9A-F]{18}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
  it("follow the clock from one second to the next, and back (the time part is remade when the second changes)", () => {
    const at = (s: number, ms = 0) => newRequestId(new Date(Date.UTC(2026, 11, 6, 23, 59, s, ms))).slice(0, 14);
    expect([at(58), at(58, 999), at(59), at(59, 500), at(58)]).toEqual([
      "20261206235958",
      "20261206235958",
      "20261206235959",
      "20261206235959",
      "20261206235958",
    ]);
    expect(newRequestId(new Date(Date.UTC(2026, 11, 7))).slice(0, 14)).toBe("20261207000000");
  });
});

describe("API responses", () => {
  it("carry the JSON text with its Content-Type and X-Request-Id, and the extra headers given", async () => {
    const plain = apiResponse("RID", '{"A":1}');
    expect(plain.status).toBe(200);
    expect(Object.fromEntries(plain.headers)).toEqual({ "content-type": "application/json", "x-request-id": "RID" });
    expect(await plain.text()).toBe('{"A":1}');
    const refused = apiResponse("RID2", "{}", 413, { connection: "close", "retry-after": "3" });
    expect(refused.status).toBe(413);
    expect(Object.fromEntries(refused.headers)).toEqual({
      "content-type": "application/json",
      "x-request-id": "RID2",
      connection: "close",
      "retry-after": "3",
    });
  });
});

describe("envelopes", () => {
  it("wrap a result with the request's metadata", () => {
    expect(successEnvelope(ctx, { A: 1 })).toEqual({
      ResponseMetadata: { RequestId: "RID", Action: "GetUser", Version: "2025-10-30", Service: "id", Region: "cn-beijing" },
      Result: { A: 1 },
    });
    expect([API_VERSION, SERVICE_NAME]).toEqual(["2025-10-30", "id"]);
  });
  it("carry an error's code and message, and CodeN only where the catalog has one", () => {
    expect(errorEnvelope(ctx, new ApiError("SignatureNotMatch", "m")).ResponseMetadata.Error).toEqual({
      CodeN: 100010,
      Code: "SignatureNotMatch",
      Message: "m",
    });
    const plain = errorEnvelope(ctx, errors.notFound("User u1")).ResponseMetadata;
    expect(plain).toEqual({
      RequestId: "RID",
      Action: "GetUser",
      Version: "2025-10-30",
      Service: "id",
      Region: "cn-beijing",
      Error: { Code: "NotFound", Message: "resource User u1 does not exist" },
    });
    expect("CodeN" in plain.Error!).toBe(false);
  });
  it("print times in RFC 3339 UTC without fractions", () => {
    expect(formatTime(new Date(Date.UTC(2025, 9, 30, 8, 9, 10, 123)))).toBe("2025-10-30T08:09:10Z");
  });
});

describe("the error catalog", () => {
  it.each([
    ["MissingParameter.X", 400, undefined],
    ["InvalidParameter.X", 400, undefined],
    ["InvalidRequest", 400, undefined],
    ["MissingAction", 400, undefined],
    ["InvalidAction", 400, undefined],
    ["InvalidAuthorization", 400, undefined],
    ["MissingAuthenticationToken", 401, 100003],
    ["SignatureNotMatch", 401, 100010],
    ["InvalidTimestamp", 403, 100006],
    ["InvalidAccessKeyId", 403, 100009],
    ["AccessDenied", 403, 100013],
    ["NotFound", 404, undefined],
    ["Duplicated", 409, undefined],
    ["RequestEntityTooLarge", 413, undefined],
    ["Throttling", 429, undefined],
    ["QuotaExceeded", 429, undefined],
    ["InternalError", 500, 100014],
    ["DownstreamServerError", 502, undefined],
    ["ServiceUnavailable", 503, undefined],
  ])("%s is HTTP %d with CodeN %s", (code, status, codeN) => {
    const e = new ApiError(code, "m");
    expect([e.code, e.status, e.codeN, e.message]).toEqual([code, status, codeN, "m"]);
  });
  it("refuses a code outside the catalog, including one that only starts like a family", () => {
    expect(() => new ApiError("Teapot", "m")).toThrow("error code Teapot is not in the catalog");
    expect(() => new ApiError("NotFoundX", "m")).toThrow(/not in the catalog/);
  });
  it("builds the common errors with their codes and default messages", () => {
    const cases: [ApiError, string, string][] = [
      [errors.missingParameter("Name"), "MissingParameter.Name", "the parameter Name is required"],
      [errors.missingParameter("Name", "custom"), "MissingParameter.Name", "custom"],
      [errors.invalidParameter("Name"), "InvalidParameter.Name", "the parameter Name is invalid"],
      [errors.invalidParameter("Name", "custom"), "InvalidParameter.Name", "custom"],
      [errors.invalidRequest("why"), "InvalidRequest", "why"],
      [errors.duplicated("User u1"), "Duplicated", "resource User u1 already exists"],
      [errors.quotaExceeded("UsersPerPool"), "QuotaExceeded", "quota UsersPerPool has reached its limit"],
      [errors.accessDenied("CreateUser"), "AccessDenied", "the access key is not allowed to perform CreateUser"],
      [errors.internal(), "InternalError", "internal service error, quote the RequestId when reporting it"],
      [errors.unavailable(), "ServiceUnavailable", "the service is temporarily unavailable, retry later"],
      [errors.unavailable("draining"), "ServiceUnavailable", "draining"],
      [errors.downstream("idp down"), "DownstreamServerError", "idp down"],
    ];
    for (const [e, code, message] of cases) expect([e.code, e.message]).toEqual([code, message]);
  });
});
