// The Volcengine response envelope: ResponseMetadata with RequestId, and Result or Error.
import { randomBytes } from "node:crypto";
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

// Random bytes drawn in blocks: one randomBytes call per request showed up in the request path's profile.
const POOL_SIZE = 9 * 512;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

/** yyyyMMddHHmmss (UTC) followed by 18 upper-case hex characters. */
export function newRequestId(now = new Date()): string {
  if (offset + 9 > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const random = pool.toString("hex", offset, offset + 9).toUpperCase();
  offset += 9;
  const stamp = now.toISOString();
  return (
    stamp.slice(0, 4) + stamp.slice(5, 7) + stamp.slice(8, 10) + stamp.slice(11, 13) + stamp.slice(14, 16) + stamp.slice(17, 19) + random
  );
}

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
