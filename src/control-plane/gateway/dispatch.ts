// Routing and dispatch: Action/Version from the query, then (after the signature) the role check,
// parameter decoding and the action's handler, answered in the success envelope.
import type { MiddlewareHandler } from "hono";
import type { AnyAction } from "../../core/action.js";
import type { AppDeps } from "../../deps.js";
import type { Logger } from "../../platform/log.js";
import type { GatewayEnv } from "./context.js";
import { API_VERSION, apiResponse, successEnvelope } from "./envelope.js";
import { ApiError, errors } from "../../core/errors.js";
import { parseQuery, type QueryPair } from "./signing/canonical.js";
import { paramsFromFlat, paramsFromJson, parseParams, validateParams } from "./params.js";
import { wireFromFetch, wireFromIncoming } from "./wire.js";

/** Query names that belong to the protocol, never to an action's parameters. */
const PROTOCOL_PARAMS = new Set([
  "Action",
  "Version",
  "X-Algorithm",
  "X-Credential",
  "X-Date",
  "X-SignedHeaders",
  "X-SignedQueries",
  "X-Signature",
  "X-NotSignBody",
  "X-Security-Token",
  "X-Expires",
]);

/** `isDraining`: set while shutting down, when new API calls are refused with ServiceUnavailable. */
export function routeAction(registry: ReadonlyMap<string, AnyAction>, isDraining?: () => boolean): MiddlewareHandler<GatewayEnv> {
  return async function routeByActionAndVersion(c, next) {
    if (isDraining?.()) throw errors.unavailable("the server is shutting down, retry on another instance");
    const wire = c.env?.incoming ? wireFromIncoming(c.env.incoming) : wireFromFetch(c.req.raw);
    c.set("wire", wire);
    const action = wire.queryValue("Action");
    const version = wire.queryValue("Version");
    if (action) c.set("actionName", action);
    if (version) c.set("version", version);
    if (!action) throw new ApiError("MissingAction", "the Action parameter is required");
    if (!version) throw errors.missingParameter("Version");
    if (version !== API_VERSION)
      throw errors.invalidParameter("Version", `Version ${JSON.stringify(version.slice(0, 32))} is not supported; use ${API_VERSION}`);
    const definition = registry.get(action);
    if (!definition) throw new ApiError("InvalidAction", `the action ${JSON.stringify(action.slice(0, 64))} does not exist`);
    c.set("action", definition);
    await next();
  };
}

export function dispatchAction(deps: AppDeps): MiddlewareHandler<GatewayEnv> {
  return async function runAction(c) {
    const action = c.get("action");
    const principal = c.get("principal");
    if (action.access === "write" && principal.role !== "admin") throw errors.accessDenied(action.name);
    const raw = decodeRawParams(c.get("auth").signedQuery, c.get("body"), c.get("wire").header("content-type"));
    const input = parseParams(action.input, raw);
    const requestId = c.get("requestId");
    let log: Logger | undefined;
    const result = await action.handler(input, {
      deps,
      principal,
      accountId: principal.accountId,
      requestId,
      validate: validateParams,
      // Made on first use: most handlers never log, and a child logger per request is not free.
      get log() {
        return (log ??= deps.log.child({ requestId }));
      },
    });
    const envelope = successEnvelope({ requestId, action: action.name, version: API_VERSION, region: deps.config.region }, result);
    return apiResponse(requestId, JSON.stringify(envelope));
  };
}

/**
 * The action's parameters: the signed query's and the body's. One meaning for the signed bytes
 * (docs/spec/signing.md §5a): the body is decoded by what it is, a JSON object or form pairs, and a
 * Content-Type (which the official Node SDK does not sign) that contradicts the bytes is refused, so
 * re-labelling signed JSON as a form (or the reverse) can never yield other parameters. A parameter
 * named in both the query and the body is refused rather than one silently winning.
 */
function decodeRawParams(query: QueryPair[], body: Uint8Array, contentType: string | undefined): Record<string, unknown> {
  const flat: [string, string][] = [];
  for (const p of query) if (!PROTOCOL_PARAMS.has(p.nameText)) flat.push([p.nameText, p.valueText]);
  if (body.length === 0) return paramsFromFlat(flat);
  const looksJson = startsLikeJson(body);
  if (isFormContentType(contentType)) {
    if (looksJson) throw errors.invalidRequest("the body is JSON but Content-Type says application/x-www-form-urlencoded");
    const form = parseQuery(decodeUtf8(body)).filter((p) => !PROTOCOL_PARAMS.has(p.nameText));
    refuseInBoth(
      flat,
      form.map((p) => p.nameText),
    );
    return paramsFromFlat([...flat, ...form.map((p): [string, string] => [p.nameText, p.valueText])]);
  }
  if (!looksJson && isJsonContentType(contentType))
    throw errors.invalidRequest("the body is not JSON but Content-Type says application/json");
  const json = paramsFromJson(body);
  refuseInBoth(flat, Object.keys(json));
  return { ...paramsFromFlat(flat), ...json };
}

/** Names are matched case-insensitively and by their first segment (`Filter.Name` names Filter). */
const topName = (name: string) => name.split(".", 1)[0]!.toLowerCase();
function refuseInBoth(query: [string, string][], bodyNames: string[]): void {
  if (query.length === 0) return;
  const inQuery = new Set(query.map(([name]) => topName(name)));
  const both = bodyNames.find((name) => inQuery.has(topName(name)));
  if (both === undefined) return;
  const name = both
    .split(".", 1)[0]!
    .replace(/[\u0000-\u001f\u007f]/g, "?")
    .slice(0, 128);
  throw errors.invalidParameter(name, `${name} is sent in both the query and the body; send each parameter once`);
}

const isFormContentType = (ct: string | undefined) => mediaType(ct) === "application/x-www-form-urlencoded";
const isJsonContentType = (ct: string | undefined) => mediaType(ct) === "application/json";
const mediaType = (ct: string | undefined) => (ct ?? "").split(";", 1)[0]!.trim().toLowerCase();

/** A JSON text an action could take starts with `{` (or, to be refused as not an object, `[`); a form body never does (`{` is escaped). */
function startsLikeJson(body: Uint8Array): boolean {
  for (const b of body) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    return b === 0x7b || b === 0x5b;
  }
  return false;
}

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });
function decodeUtf8(body: Uint8Array): string {
  try {
    return fatalUtf8.decode(body);
  } catch {
    throw errors.invalidRequest("the request body is not valid UTF-8");
  }
}
