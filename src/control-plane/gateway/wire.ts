// The request as it came off the wire, read once per request: raw path and query (the signature is
// over what was sent, not over a normalized URL), decoded query pairs, headers, and the body under a
// byte limit. Served by @hono/node-server it reads Node's IncomingMessage directly: building the
// fetch Request (Headers, web streams) for every call cost more than verifying the signature.
import type { IncomingMessage } from "node:http";
import { checkDeclaredLength, readBodyLimited } from "./body.js";
import { parseQuery, type QueryPair } from "./signing/canonical.js";
import type { IncomingSignedRequest } from "./signing/verify.js";
import { ApiError } from "../../core/errors.js";

export interface WireRequest extends IncomingSignedRequest {
  /** decoded query pairs, in wire order */
  query: QueryPair[];
  /** first value of a query parameter, by exact name */
  queryValue(name: string): string | undefined;
  readBody(limit: number): Promise<Uint8Array>;
}

function fromParts(
  method: string,
  rawUrl: string,
  header: (name: string) => string | undefined,
  readBody: WireRequest["readBody"],
): WireRequest {
  const q = rawUrl.indexOf("?");
  const rawQuery = q === -1 ? "" : rawUrl.slice(q + 1);
  const query = parseQuery(rawQuery);
  return {
    method,
    rawPath: q === -1 ? rawUrl : rawUrl.slice(0, q),
    rawQuery,
    query,
    header,
    queryValue: (name) => query.find((p) => p.nameText === name)?.valueText,
    readBody,
  };
}

export function wireFromIncoming(incoming: IncomingMessage): WireRequest {
  const headers = incoming.headers;
  const header = (name: string) => {
    // Node keeps only the first of repeated Authorization headers; join them all instead, so a
    // request carrying two is refused as malformed rather than judged by whichever came first.
    if (name === "authorization") return allValues(incoming.rawHeaders, name);
    const v = headers[name];
    return Array.isArray(v) ? v.join(", ") : v;
  };
  return fromParts(incoming.method ?? "GET", incoming.url ?? "/", header, (limit) =>
    readIncoming(incoming, limit, header("content-length")),
  );
}

/** For requests that did not come through node-server (app.request in tests). */
export function wireFromFetch(request: Request): WireRequest {
  const url = request.url;
  const pathStart = url.indexOf("/", url.indexOf("//") + 2);
  const header = (name: string) => request.headers.get(name) ?? undefined;
  return fromParts(request.method, pathStart === -1 ? "/" : url.slice(pathStart), header, async (limit) => {
    checkDeclaredLength(header("content-length"), limit);
    return readBodyLimited(request.body, limit);
  });
}

/** Every value of a header, joined with ", " as for repeatable headers; undefined when absent. */
function allValues(rawHeaders: string[], lowerName: string): string | undefined {
  let joined: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.length === lowerName.length && rawHeaders[i]!.toLowerCase() === lowerName) {
      joined = joined === undefined ? rawHeaders[i + 1]! : `${joined}, ${rawHeaders[i + 1]}`;
    }
  }
  return joined;
}

function readIncoming(incoming: IncomingMessage, limit: number, contentLength: string | undefined): Promise<Uint8Array> {
  checkDeclaredLength(contentLength, limit);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      incoming.off("data", onData);
      incoming.off("end", onEnd);
      incoming.off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // Stop reading; the connection closes after the 413 is sent.
        incoming.pause();
        reject(new ApiError("RequestEntityTooLarge", `the request body exceeds ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    incoming.on("data", onData);
    incoming.on("end", onEnd);
    incoming.on("error", onError);
  });
}
