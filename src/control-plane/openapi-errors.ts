// The error responses of openapi.yaml: per operation, the catalog codes it can answer, grouped by
// HTTP status. An action declares its own (NotFound, Duplicated...; ActionDefinition.errors); the
// gateway adds those any signed call can meet before or around the handler, listed here once.
import type { AnyAction } from "../core/action.js";
import { errorCatalog, type ErrorFamily } from "../core/errors.js";
import { API_VERSION, SERVICE_NAME } from "./gateway/envelope.js";

/** Any action: the request's form and parameters, the signature and clock, the limits, the server. */
export const GATEWAY_ERRORS: readonly ErrorFamily[] = [
  "InvalidRequest",
  "MissingParameter",
  "InvalidParameter",
  "InvalidAuthorization",
  "MissingAuthenticationToken",
  "SignatureNotMatch",
  "InvalidTimestamp",
  "InvalidAccessKeyId",
  "RequestEntityTooLarge",
  "Throttling",
  "InternalError",
  "ServiceUnavailable",
];

/** Write actions: a readonly key is refused. */
export const WRITE_ERRORS: readonly ErrorFamily[] = ["AccessDenied"];

/** One message per code for the examples, in the words the server uses. */
const EXAMPLE_MESSAGES: Record<ErrorFamily, string> = {
  MissingParameter: "the parameter UserPoolUid is required",
  InvalidParameter: "the parameter Name is invalid: Too big: expected string to have <=128 characters",
  InvalidRequest: "the request body is not valid JSON",
  MissingAction: "the Action parameter is required",
  InvalidAction: 'the action "Foo" does not exist',
  InvalidAuthorization: "Credential must be <AccessKeyId>/<YYYYMMDD>/<region>/<service>/request",
  MissingAuthenticationToken: "the request is not signed",
  SignatureNotMatch: "the request signature does not match; check the secret key and the signing method",
  InvalidTimestamp: "X-Date is outside the allowed clock skew",
  InvalidAccessKeyId: "the access key does not exist or is disabled",
  AccessDenied: "the access key is not allowed to perform DeleteUserPool",
  NotFound: "resource UserPool 6f1c... does not exist",
  Duplicated: "resource UserPool customers already exists",
  RequestEntityTooLarge: "the request body exceeds 1048576 bytes",
  Throttling: "the access key exceeded its request rate (50/s, burst 100); retry later",
  QuotaExceeded: "quota UserPoolsPerAccount has reached its limit",
  InternalError: "internal service error, quote the RequestId when reporting it",
  DownstreamServerError: "a downstream service failed",
  ServiceUnavailable: "the database is unreachable, retry later",
};

/** Every code an operation can answer: its own first, then the gateway's, each once. */
export function errorsOf(action: AnyAction): ErrorFamily[] {
  return [...new Set([...action.errors, ...(action.access === "write" ? WRITE_ERRORS : []), ...GATEWAY_ERRORS])];
}

/** components.examples: one error envelope per catalog code, referenced by the operations. */
export function errorExamples(): Record<string, unknown> {
  return Object.fromEntries(
    (Object.keys(errorCatalog) as ErrorFamily[]).map((code) => {
      const { status, codeN } = errorCatalog[code];
      const error = { ...(codeN !== undefined && { CodeN: codeN }), Code: code, Message: EXAMPLE_MESSAGES[code] };
      const ResponseMetadata = {
        RequestId: "20251030120000A1B2C3D4E5F6A7B8C9",
        Action: "GetUserPool",
        Version: API_VERSION,
        Service: SERVICE_NAME,
        Region: "cn-beijing",
        Error: error,
      };
      return [`Error${code}`, { summary: `${status} ${code}`, value: { ResponseMetadata } }];
    }),
  );
}

/** One error response: the codes of one HTTP status, named in the description, one example each. */
function errorResponse(status: number, codes: ErrorFamily[]) {
  return {
    description:
      `Error envelope; ResponseMetadata.Error.Code is one of: ${codes.join(", ")}` +
      (status === 400 ? " (MissingParameter and InvalidParameter as `<Code>.<Parameter>`)" : ""),
    ...(codes.includes("Throttling") && {
      headers: { "Retry-After": { description: "with Throttling: seconds until a retry may succeed", schema: { type: "integer" } } },
    }),
    content: {
      "application/json": {
        schema: { $ref: "#/components/schemas/ErrorEnvelope" },
        examples: Object.fromEntries(codes.map((c) => [c, { $ref: `#/components/examples/Error${c}` }])),
      },
    },
  };
}

/**
 * The operation's error responses by HTTP status, as references into `shared` (components.responses),
 * which collects each distinct group once: `Error404NotFound`, `Error403` (the gateway's codes only).
 */
export function errorResponses(action: AnyAction, shared: Record<string, unknown>): Record<string, unknown> {
  const byStatus = new Map<number, ErrorFamily[]>();
  for (const code of errorsOf(action)) {
    const status = errorCatalog[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, codes]) => {
        const name = `Error${status}${codes.filter((c) => !GATEWAY_ERRORS.includes(c)).join("")}`;
        shared[name] ??= errorResponse(status, codes);
        return [String(status), { $ref: `#/components/responses/${name}` }];
      }),
  );
}
