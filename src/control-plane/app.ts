// The Hono app: request id and log line -> error envelope -> ops endpoints -> Action/Version routing
// -> signature (with the body limit) -> throttle -> the account's share of requests in progress ->
// replay check -> dispatch to the action's handler.
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { sql } from "kysely";
import { actions as defaultRegistry } from "./registry.js";
import type { AnyAction } from "../core/action.js";
import type { AppDeps } from "../deps.js";
import { translateDbError } from "../platform/db/errors.js";
import type { GatewayEnv } from "./gateway/context.js";
import { dispatchAction, routeAction } from "./gateway/dispatch.js";
import { API_VERSION, SERVICE_NAME, apiResponse, errorEnvelope, newRequestId } from "./gateway/envelope.js";
import { type ApiError, errors } from "../core/errors.js";
import { signatureAuth } from "./gateway/signing/middleware.js";
import { replayProtection } from "./gateway/replay.js";
import { throttle } from "./gateway/throttle.js";
import { AccountSlots, accountSlots } from "./gateway/account-slots.js";
import { createSignatureLedger } from "../platform/rate-limits/signatures.js";

/** The request log line of an API call. */
interface RequestLine {
  requestId: string;
  action: string | undefined;
  status: number;
  durationMs: number;
  code?: string;
  accessKeyId?: string;
  accountId?: string;
}

export interface AppOptions {
  registry?: ReadonlyMap<string, AnyAction>;
  /** Set while shutting down: new API calls are refused with ServiceUnavailable. */
  isDraining?: () => boolean;
}

export function createApp(deps: AppDeps, opts: AppOptions = {}) {
  const registry = opts.registry ?? defaultRegistry;
  const app = new Hono<GatewayEnv>();
  // Rendered on first request: the JSON Schemas and the YAML writer are memory no API call needs.
  let openApiYaml: Promise<string> | undefined;

  app.use(async function requestContext(c, next) {
    const started = performance.now();
    const requestId = newRequestId(deps.clock.now());
    c.set("requestId", requestId);
    const api = c.req.path === "/";
    // The API's answers carry the header from the start (apiResponse): a header set here would make
    // Hono build a Headers object per request and merge it into the answer's.
    if (!api) c.header("X-Request-Id", requestId);
    await next();
    if (!api) return;
    // One flat object, fields in a fixed order: the line is written on every call.
    const line: RequestLine = {
      requestId,
      action: c.get("actionName"),
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    };
    const code = c.get("errorCode");
    if (code) line.code = code;
    const principal = c.get("principal");
    if (principal) {
      line.accessKeyId = principal.accessKeyId;
      line.accountId = principal.accountId;
    }
    deps.log.info(line, "request");
  });

  const renderError = (c: Context<GatewayEnv>, apiError: ApiError) => {
    c.set("errorCode", apiError.code);
    const ctx = {
      requestId: c.get("requestId"),
      action: c.get("actionName") ?? "",
      version: c.get("version") ?? API_VERSION,
      region: deps.config.region,
    };
    const headers: Record<string, string> = {};
    // The rest of an oversized body is not worth reading: close the connection after answering.
    if (apiError.status === 413) headers.connection = "close";
    if (apiError.retryAfterSeconds !== undefined) headers["retry-after"] = String(apiError.retryAfterSeconds);
    return apiResponse(ctx.requestId, JSON.stringify(errorEnvelope(ctx, apiError)), apiError.status, headers);
  };

  app.onError((err, c) => {
    let apiError = translateDbError(err);
    if (!apiError) {
      // Full detail to the log, never to the caller. Only name, message and stack: driver errors
      // carry the query's parameters, which may hold secrets.
      deps.log.error(
        { requestId: c.get("requestId"), err: { name: err.name, message: err.message, stack: err.stack } },
        "unexpected error",
      );
      apiError = errors.internal();
    }
    return renderError(c, apiError);
  });

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    try {
      await Promise.race([
        sql`select 1`.execute(deps.db),
        new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 2000).unref()),
      ]);
      return c.json({ status: opts.isDraining?.() ? "draining" : "ready" }, opts.isDraining?.() ? 503 : 200);
    } catch {
      return c.json({ status: "database unreachable" }, 503);
    }
  });
  app.get("/openapi.yaml", async (c) => {
    openApiYaml ??= import("./openapi.js").then((m) => m.renderOpenApi(registry));
    return c.body(await openApiYaml, 200, { "Content-Type": "application/yaml; charset=utf-8" });
  });

  const rate = deps.config.rateLimit;
  const ledger = deps.config.replayProtection ? createSignatureLedger(deps.db, deps.log) : undefined;
  // Every middleware of the chain is an async hop of every call: a check that is off is left out,
  // not passed through (throttle and replay protection are off unless configured).
  const chain: MiddlewareHandler<GatewayEnv>[] = [
    routeAction(registry, opts.isDraining),
    signatureAuth({
      resolver: deps.accessKeys,
      region: deps.config.region,
      service: SERVICE_NAME,
      maxSkewSeconds: deps.config.maxSkewSeconds,
      bodyLimitBytes: deps.config.bodyLimitBytes,
      clock: deps.clock,
    }),
  ];
  // Before the replay check: a throttled flood of replays costs no insert each.
  if (deps.rateLimiter) chain.push(throttle({ limiter: deps.rateLimiter, ratePerSecond: rate.perSecond, burst: rate.burst }));
  chain.push(accountSlots(new AccountSlots(deps.config.accountConcurrency.active, deps.config.accountConcurrency.queued)));
  if (ledger) chain.push(replayProtection({ ledger, maxSkewSeconds: deps.config.maxSkewSeconds }));
  chain.push(dispatchAction(deps));
  app.on(["GET", "POST", "PUT"], "/", ...(chain as [MiddlewareHandler<GatewayEnv>]));

  app.notFound((c) => renderError(c, errors.invalidRequest(`the API is served at POST /?Action=<Action>&Version=${API_VERSION}`)));
  return app;
}
