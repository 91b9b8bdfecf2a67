// Raw HTTP calls to a test service, signed Go-style by the independent test signer (host,
// content-type, x-content-sha256 and x-date signed), with hooks to break any part of the request.
import type { NewAccessKey } from "../../src/access-keys/service.js";
import { REGION, VERSION, type Envelope, type TestService } from "./harness.js";
import { authorizationHeader, sha256hex, xDateOf, type SignInput } from "./signer.js";

export interface RawCall {
  action?: string | undefined;
  version?: string | undefined;
  /** extra query pairs after Action and Version */
  query?: [string, string][];
  body?: string | Buffer;
  key?: Pick<NewAccessKey, "accessKeyId" | "secretAccessKey">;
  /** the time to put in X-Date (default: the service clock's now) */
  at?: Date;
  method?: string;
  contentType?: string;
  /** change the signing input before signing (e.g. another secret or region) */
  tamperSign?: (input: SignInput) => SignInput;
  /** change the headers after signing (e.g. drop Authorization) */
  tamperHeaders?: (headers: Record<string, string>) => Record<string, string>;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  envelope: Envelope;
}

export function buildSigned(svc: TestService, call: RawCall) {
  const key = call.key ?? svc.admin;
  const query: [string, string][] = [];
  if (call.action !== undefined) query.push(["Action", call.action]);
  if (call.version !== undefined || call.action !== undefined) query.push(["Version", call.version ?? VERSION]);
  query.push(...(call.query ?? []));
  const body = call.body ?? "{}";
  const method = call.method ?? "POST";
  const headers: Record<string, string> = {
    Host: svc.host,
    "Content-Type": call.contentType ?? "application/json",
    "X-Date": xDateOf(call.at ?? svc.clock.now()),
    "X-Content-Sha256": sha256hex(body),
  };
  let input: SignInput = {
    method,
    path: "/",
    query,
    headers,
    body,
    accessKeyId: key.accessKeyId,
    secretKey: key.secretAccessKey,
    region: REGION,
    service: "id",
    xDate: headers["X-Date"]!,
  };
  if (call.tamperSign) input = call.tamperSign(input);
  const signed = { ...headers, Authorization: authorizationHeader(input) };
  // Go sends spaces in the query as '+'.
  const qs = query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%20/g, "+")}`).join("&");
  return { url: `${svc.url}/?${qs}`, method, headers: call.tamperHeaders ? call.tamperHeaders(signed) : signed, body };
}

export async function rawCall(svc: TestService, call: RawCall): Promise<RawResponse> {
  const req = buildSigned(svc, call);
  // fetch sets Host itself, to the same value that was signed.
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.toLowerCase() !== "host"));
  const res = await fetch(req.url, {
    method: req.method,
    headers,
    body: req.method === "GET" ? undefined : req.body,
  });
  const text = await res.text();
  let envelope: Envelope;
  try {
    envelope = JSON.parse(text) as Envelope;
  } catch {
    throw new Error(`not a JSON envelope (HTTP ${res.status}): ${text.slice(0, 200)}`);
  }
  return { status: res.status, headers: res.headers, envelope };
}

export const errorOf = (r: RawResponse) => r.envelope.ResponseMetadata.Error;
export { REGION };
