// A request's body read before oidc-provider sees the request. The token endpoint's usual
// client_credentials request (client-credentials.ts) looks at the form without consuming it
// (peekArrivedBody), so that the library, when it answers, reads the request itself. The JWT lookup
// form of introspection and revocation (access-tokens.ts) rewrites the form, so the library reads a
// copy of the request with the new body (readAnnouncedBody, withBody).
import { IncomingMessage } from "node:http";

/**
 * A request's whole body when it has already arrived (a small form comes with its headers), read
 * without consuming it: the bytes are put back for whoever reads the request next
 * (Readable#unshift, synchronously, so its end cannot be announced in between). Undefined when not
 * all `length` bytes are there yet or the stream is already being read: the library then reads the
 * request as it comes.
 */
export function peekArrivedBody(req: IncomingMessage, length: number): Buffer | undefined {
  if (req.readableFlowing !== null || req.readableEnded || req.readableLength !== length) return undefined;
  const arrived = req.read() as Buffer | null;
  if (arrived === null) return undefined;
  req.unshift(arrived);
  return arrived.length === length ? arrived : undefined;
}

/**
 * The body of a request that announced `length` bytes: at most that many are read. `complete` is
 * false when the client sent fewer (the library answers that as a malformed request).
 */
export function readAnnouncedBody(req: IncomingMessage, length: number): Promise<{ body: Buffer; complete: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = () => {
      req.off("data", onData).off("end", finish).off("close", finish).off("error", finish);
      const body = Buffer.concat(chunks);
      resolve({ body, complete: body.length === length });
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > length) return finish();
      chunks.push(chunk);
    };
    req.on("data", onData).on("end", finish).on("close", finish).on("error", finish);
  });
}

/**
 * The same request (method, path, headers, socket) with `body` as its body, announced as
 * `announced` bytes (the body's own length unless the original announcement must stand).
 */
export function withBody(req: IncomingMessage, body: Buffer, announced = body.length): IncomingMessage {
  const copy = new IncomingMessage(req.socket);
  copy.method = req.method;
  copy.url = req.url;
  copy.httpVersion = req.httpVersion;
  copy.headers = { ...req.headers, "content-length": String(announced) };
  (copy as IncomingMessage & { originalUrl?: string }).originalUrl = (req as IncomingMessage & { originalUrl?: string }).originalUrl;
  copy.push(body);
  copy.push(null);
  // Complete: an IncomingMessage destroyed before it is would destroy the shared socket with it.
  copy.complete = true;
  return copy;
}
