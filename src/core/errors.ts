// The closed error catalog (docs/spec/api.md §3) and the one error class every layer throws. Only the app's
// error handler renders errors; everything else throws ApiError through these constructors.

interface CatalogEntry {
  status: 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 | 502 | 503;
  codeN?: number;
}

const catalog = {
  MissingParameter: { status: 400 },
  InvalidParameter: { status: 400 },
  InvalidRequest: { status: 400 },
  MissingAction: { status: 400 },
  InvalidAction: { status: 400 },
  InvalidAuthorization: { status: 400 },
  MissingAuthenticationToken: { status: 401, codeN: 100003 },
  SignatureNotMatch: { status: 401, codeN: 100010 },
  InvalidTimestamp: { status: 403, codeN: 100006 },
  InvalidAccessKeyId: { status: 403, codeN: 100009 },
  AccessDenied: { status: 403, codeN: 100013 },
  NotFound: { status: 404 },
  Duplicated: { status: 409 },
  RequestEntityTooLarge: { status: 413 },
  Throttling: { status: 429 },
  QuotaExceeded: { status: 429 },
  InternalError: { status: 500, codeN: 100014 },
  DownstreamServerError: { status: 502 },
  ServiceUnavailable: { status: 503 },
} satisfies Record<string, CatalogEntry>;

export type ErrorFamily = keyof typeof catalog;

/** Every code family with its HTTP status and CodeN, for documentation and the tests that check it. */
export const errorCatalog: Readonly<Record<ErrorFamily, CatalogEntry>> = catalog;

export class ApiError extends Error {
  readonly status: CatalogEntry["status"];
  readonly codeN: number | undefined;
  /** Sent as Retry-After by the error handler (Throttling: when the bucket may pay again). */
  retryAfterSeconds: number | undefined;

  /** @param code a catalog code, or `MissingParameter.<Param>` / `InvalidParameter.<Param>` */
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    const family = code.split(".", 1)[0] as ErrorFamily;
    const entry: CatalogEntry | undefined = catalog[family];
    if (!entry) throw new Error(`error code ${code} is not in the catalog`);
    this.status = entry.status;
    this.codeN = entry.codeN;
  }
}

export const errors = {
  missingParameter: (param: string, message = `the parameter ${param} is required`) => new ApiError(`MissingParameter.${param}`, message),
  invalidParameter: (param: string, message = `the parameter ${param} is invalid`) => new ApiError(`InvalidParameter.${param}`, message),
  invalidRequest: (message: string) => new ApiError("InvalidRequest", message),
  notFound: (resource: string) => new ApiError("NotFound", `resource ${resource} does not exist`),
  duplicated: (resource: string) => new ApiError("Duplicated", `resource ${resource} already exists`),
  quotaExceeded: (quota: string) => new ApiError("QuotaExceeded", `quota ${quota} has reached its limit`),
  accessDenied: (action: string) => new ApiError("AccessDenied", `the access key is not allowed to perform ${action}`),
  internal: () => new ApiError("InternalError", "internal service error, quote the RequestId when reporting it"),
  unavailable: (why = "the service is temporarily unavailable, retry later") => new ApiError("ServiceUnavailable", why),
  downstream: (message: string) => new ApiError("DownstreamServerError", message),
  throttling: (message: string, retryAfterSeconds = 1) => Object.assign(new ApiError("Throttling", message), { retryAfterSeconds }),
};
