// The signature check as a Hono middleware, shaped like Hono's built-ins: a factory that checks its
// options once and returns a named function. Order, cheapest first (docs/spec/signing.md §6): header shape,
// timestamp, access key, then the body (read under the limit) and the HMAC over it. Runs after
// routeAction, which reads the request off the wire once.
import type { MiddlewareHandler } from "hono";
import type { AccessKeyResolver } from "../../../access-keys/resolver.js";
import type { Clock } from "../../../deps.js";
import type { GatewayEnv } from "../context.js";
import { ApiError } from "../../../core/errors.js";
import { checkTimestamp, parseAuthentication, verifySignature } from "./verify.js";

export interface SignatureAuthOptions {
  resolver: AccessKeyResolver;
  region: string;
  service: string;
  maxSkewSeconds: number;
  bodyLimitBytes: number;
  clock: Clock;
}

export function signatureAuth(options: SignatureAuthOptions): MiddlewareHandler<GatewayEnv> {
  if (!options.region || !options.service) throw new Error("signatureAuth needs a region and a service");
  if (!(options.maxSkewSeconds > 0) || !(options.bodyLimitBytes > 0)) throw new Error("signatureAuth limits must be positive");
  const expectedScope = `<date>/${options.region}/${options.service}/request`;

  return async function verifyRequestSignature(c, next) {
    const request = c.get("wire");
    const auth = parseAuthentication(request);
    checkTimestamp(auth, options.clock.now().getTime(), options.maxSkewSeconds);
    const key = await options.resolver.resolve(auth.accessKeyId);
    if (!key || !key.enabled) throw new ApiError("InvalidAccessKeyId", "the access key does not exist or is disabled");
    if (auth.region !== options.region || auth.service !== options.service) {
      throw new ApiError("SignatureNotMatch", `the credential scope must be ${expectedScope}`);
    }
    const body = await request.readBody(options.bodyLimitBytes);
    // An unsigned body could say anything (docs/spec/signing.md §5): a presigned request that leaves its body
    // out of the signature carries none, and its parameters come from the signed query alone.
    if (auth.notSignBody && body.length > 0) {
      throw new ApiError("InvalidAuthorization", "the request signs no body (X-NotSignBody) but carries one; sign the body or send none");
    }
    const signingKey = key.signingKey(auth.shortDate, auth.region, auth.service);
    if (!verifySignature(auth, request, body, signingKey)) {
      throw new ApiError("SignatureNotMatch", "the request signature does not match; check the secret key and the signing method");
    }
    c.set("principal", key.principal);
    c.set("body", body);
    c.set("auth", auth);
    await next();
  };
}
