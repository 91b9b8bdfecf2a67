// The Volcengine response envelope: ResponseMetadata with RequestId, and Result or Error.
import { randomBytes } from "node:crypto";
import type { ApiError } from "./errors.js";

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

/** yyyyMMddHHmmss (UTC) followed by 18 upper-case hex characters. */
export function newRequestId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return stamp + randomBytes(9).toString("hex").toUpperCase();
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
  meta.Error = err.codeN === undefined
    ? { Code: err.code, Message: err.message }
    : { CodeN: err.codeN, Code: err.code, Message: err.message };
  return { ResponseMetadata: meta };
}

/** RFC 3339 UTC without fractional seconds, as the real service prints times. */
export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}
