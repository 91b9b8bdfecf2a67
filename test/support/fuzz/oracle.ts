// The fuzz suite's oracle: what every response must look like, whatever was sent. A valid envelope
// (RequestId format, Action/Version/Service/Region), a catalog code whose status matches, never a 5xx,
// 200 only where the case allows it (and then a Result the action's output schema accepts), and an
// error code that openapi.yaml lists for the action (its declared errors and the gateway's).
import type { AnyAction } from "../../../src/core/action.js";
import type { FuzzCase } from "./requests.js";
import { errorsOf } from "../../../src/control-plane/openapi-errors.js";

/** Status of each catalog family (src/core/errors.ts), restated so a drift there is caught here. */
const CATALOG: Record<string, number> = {
  MissingParameter: 400,
  InvalidParameter: 400,
  InvalidRequest: 400,
  MissingAction: 400,
  InvalidAction: 400,
  InvalidAuthorization: 400,
  MissingAuthenticationToken: 401,
  SignatureNotMatch: 401,
  InvalidTimestamp: 403,
  InvalidAccessKeyId: 403,
  AccessDenied: 403,
  NotFound: 404,
  Duplicated: 409,
  RequestEntityTooLarge: 413,
  Throttling: 429,
  QuotaExceeded: 429,
};
const AUTH_FAMILIES = new Set([
  "InvalidAuthorization",
  "MissingAuthenticationToken",
  "SignatureNotMatch",
  "InvalidTimestamp",
  "InvalidAccessKeyId",
  "AccessDenied",
  "RequestEntityTooLarge",
  "Throttling",
]);
const EDGE_FAMILIES = new Set(["InvalidRequest", "MissingAction", "InvalidAction"]);
const REQUEST_ID = /^\d{14}[0-9A-F]{18}$/;

export interface Verdict {
  ok: boolean;
  status: number;
  code: string;
  problem?: string;
  result?: Record<string, unknown>;
}

/** Checks one response; `problem` says what is wrong with it. */
export function judge(
  c: FuzzCase,
  status: number,
  headers: { get(name: string): string | null },
  text: string,
  action: AnyAction | undefined,
  region: string,
): Verdict {
  const fail = (problem: string, code = "?"): Verdict => ({
    ok: false,
    status,
    code,
    problem: `${problem} (HTTP ${status}: ${text.slice(0, 300)})`,
  });
  if (status >= 500) return fail("5xx");
  for (const name of ["x-injected", "set-cookie"]) if (headers.get(name) !== null) return fail(`response header ${name} was injected`);
  let env: { ResponseMetadata?: Record<string, unknown> & { Error?: { Code?: unknown } }; Result?: unknown };
  try {
    env = JSON.parse(text);
  } catch {
    return fail("body is not JSON");
  }
  const m = env.ResponseMetadata;
  if (!m || typeof m !== "object") return fail("no ResponseMetadata");
  if (typeof m.RequestId !== "string" || !REQUEST_ID.test(m.RequestId)) return fail("bad RequestId");
  if (headers.get("x-request-id") !== m.RequestId) return fail("X-Request-Id differs from RequestId");
  if (typeof m.Action !== "string" || typeof m.Version !== "string" || m.Service !== "id" || m.Region !== region)
    return fail("bad Action/Version/Service/Region");
  if (status === 200) {
    if (m.Error) return fail("200 with an Error");
    if (c.expect === "never-ok") return fail(`a ${c.kind} request succeeded`);
    if (!action || m.Action !== action.name) return fail("200 for an unknown action");
    const parsed = action.output.safeParse(env.Result);
    if (!parsed.success) return fail(`Result does not match ${action.name}'s output schema: ${parsed.error.issues[0]?.message}`);
    return { ok: true, status, code: "OK", result: env.Result as Record<string, unknown> };
  }
  const code = m.Error?.Code;
  if (typeof code !== "string" || typeof m.Error?.Code !== "string") return fail("error without Error.Code");
  const family = code.split(".", 1)[0]!;
  if (CATALOG[family] === undefined) return fail(`code ${code} is not in the catalog`, code);
  if (CATALOG[family] !== status) return fail(`code ${code} came with HTTP ${status}, the catalog says ${CATALOG[family]}`, code);
  if (c.kind.startsWith("auth:") && !AUTH_FAMILIES.has(family))
    return fail(`a broken signature got ${code}, not an authentication error`, code);
  // An unsigned part must be refused at the edge, before the action reads any parameter.
  if (c.kind.startsWith("coverage:") && !(AUTH_FAMILIES.has(family) || EDGE_FAMILIES.has(family) || code.endsWith(".Version"))) {
    return fail(`a request with an unsigned part got ${code}, not an edge refusal`, code);
  }
  if (action && m.Action === action.name && !EDGE_FAMILIES.has(family) && !(errorsOf(action) as string[]).includes(family)) {
    return fail(`${action.name} answered ${code}, which openapi.yaml does not list for it (declare it in the action's errors)`, code);
  }
  return { ok: true, status, code };
}
