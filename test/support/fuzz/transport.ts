// Sends fuzz cases: in-process through app.request (fast, exercises the fetch wire path) or over a
// loopback keep-alive socket to the real node-server (exercises the IncomingMessage wire path), each
// with a hard per-request timeout so a hang fails the suite instead of stalling it.
import { Agent, request } from "node:http";
import type { FuzzCase } from "./requests.js";

export interface Sent {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
}

export const REQUEST_TIMEOUT_MS = 10_000;

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms: ${what}`)), REQUEST_TIMEOUT_MS);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

const hasBody = (method: string) => method !== "GET" && method !== "HEAD";

export function inProcess(app: { request(url: string, init: RequestInit): Response | Promise<Response> }, host: string) {
  return (c: FuzzCase): Promise<Sent> =>
    withTimeout(
      (async () => {
        const res = await app.request(`http://${host}${c.target}`, {
          method: c.method,
          headers: c.headers,
          body: hasBody(c.method) ? c.body : undefined,
        });
        return { status: res.status, headers: res.headers, text: await res.text() };
      })(),
      `${c.kind} ${c.action}`,
    );
}

export function overLoopback(host: string) {
  const [hostname, port] = host.split(":");
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const send = (c: FuzzCase): Promise<Sent> =>
    withTimeout(
      new Promise<Sent>((resolve, reject) => {
        // Framed explicitly: Node sends a DELETE or OPTIONS body unframed otherwise.
        const headers = hasBody(c.method) ? { ...c.headers, "Content-Length": String(c.body.length) } : c.headers;
        const req = request({ agent, hostname, port: Number(port), method: c.method, path: c.target, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (d: Buffer) => chunks.push(d));
          res.on("end", () => {
            const h = res.headers;
            resolve({
              status: res.statusCode ?? 0,
              headers: { get: (n) => (h[n] === undefined ? null : String(h[n])) },
              text: Buffer.concat(chunks).toString("utf8"),
            });
          });
          res.on("error", reject);
        });
        req.on("error", reject);
        req.end(hasBody(c.method) ? c.body : undefined);
      }),
      `${c.kind} ${c.action}`,
    );
  return { send, close: () => agent.destroy() };
}
