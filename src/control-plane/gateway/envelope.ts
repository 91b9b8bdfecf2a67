// The Volcengine response envelope: ResponseMetadata with RequestId, and Result or Error.
import type { ApiError } from "../../core/errors.js";

export const API_VERSION = "2025-10-30";
export const SERVICE_NAME = "id";

export interface ResponseMetadata {
  RequestId: string;
  Action: string;
  Version: string;
  Service: string;
  Region: string;
  Error?: { CodeN?: number; Code: string; Message: string };
}

// Both audiences stamp their answers with the same request ids (src/core/request-id.ts).
export { newRequestId } from "../../core/request-id.js";

export interface EnvelopeContext {
  requestId: string;
  action: string;
  version: string;
  region: string;
}

function metadata(ctx: EnvelopeContext): ResponseMetadata {
  return { RequestId: ctx.requestId, Action: ctx.action, Version: ctx.version, Service: SERVICE_NAME, Region: ctx.region };
}

export function successEnvelope(ctx: EnvelopeContext, result: unknown) {
  return { ResponseMetadata: metadata(ctx), Result: result };
}

export function errorEnvelope(ctx: EnvelopeContext, err: ApiError) {
  const meta = metadata(ctx);
  meta.Error =
    err.codeN === undefined ? { Code: err.code, Message: err.message } : { CodeN: err.codeN, Code: err.code, Message: err.message };
  return { ResponseMetadata: meta };
}

/**
 * An API answer: the envelope's JSON text with its Content-Type and X-Request-Id, headers as a plain
 * object. @hono/node-server writes such a response straight out (status, header object, body string);
 * a Headers object would be built, validated and copied back into an object on every request.
 */
export function apiResponse(requestId: string, json: string, status = 200, extra?: Record<string, string>): Response {
  // Object.assign skips an undefined source: no branch for answers without extra headers.
  const headers: Record<string, string> = Object.assign({ "content-type": "application/json", "x-request-id": requestId }, extra);
  return new Response(json, { status, headers });
}
