// What the middleware tests of the edge share: an in-memory access-key resolver (the interface the
// gateway sees, with real signing keys), requests signed Go-style by the independent test signer, and
// a minimal stand-in for Hono's context for calling one middleware on its own.
import type { AccessKeyResolver, ResolvedKey } from "../../../src/access-keys/resolver.js";
import type { Role } from "../../../src/access-keys/service.js";
import { deriveSigningKey } from "../../../src/platform/crypto/signature-hash.js";
import { authorizationHeader, sha256hex, xDateOf } from "../signer.js";

export const NOW = new Date(Date.UTC(2025, 9, 30, 8, 9, 10));
export const clock = { now: () => NOW };

export interface TestKey {
  accessKeyId: string;
  secret: string;
  accountId: string;
  role: Role;
  enabled: boolean;
}
export const admin: TestKey = { accessKeyId: "AKADMIN", secret: "admin-secret", accountId: "2100000001", role: "admin", enabled: true };
export const reader: TestKey = { accessKeyId: "AKREAD", secret: "read-secret", accountId: "2100000001", role: "readonly", enabled: true };
export const disabled: TestKey = { accessKeyId: "AKOFF", secret: "off-secret", accountId: "2100000001", role: "admin", enabled: false };

/** Resolves the given keys; `lookups` records every id asked for, `derived` every signing key made. */
export function memoryResolver(keys: TestKey[]) {
  const lookups: string[] = [];
  const derived: string[] = [];
  const resolver: AccessKeyResolver = {
    async resolve(id) {
      lookups.push(id);
      const k = keys.find((x) => x.accessKeyId === id);
      if (!k) return undefined;
      const resolved: ResolvedKey = {
        principal: { accessKeyId: k.accessKeyId, accountId: k.accountId, role: k.role },
        enabled: k.enabled,
        signingKey: (date, region, service) => (
          derived.push(`${date}/${region}/${service}`), deriveSigningKey(k.secret, date, region, service)
        ),
      };
      return resolved;
    },
    invalidate() {},
  };
  return { resolver, lookups, derived };
}

export interface SignedCall {
  action?: string;
  version?: string;
  query?: [string, string][];
  body?: string | Buffer;
  contentType?: string;
  key?: TestKey;
  at?: Date;
  region?: string;
  service?: string;
  /** change the headers after signing */
  tamper?: (headers: Record<string, string>) => Record<string, string>;
}

/** A Go-style signed POST (content-type, x-content-sha256 and x-date signed; spaces in the query as +). */
export function signedRequest(call: SignedCall): Request {
  const key = call.key ?? admin;
  const query: [string, string][] = [["Action", call.action ?? "Echo"], ["Version", call.version ?? "2025-10-30"], ...(call.query ?? [])];
  const body = call.body ?? "";
  const headers: Record<string, string> = {
    "Content-Type": call.contentType ?? "application/json",
    "X-Date": xDateOf(call.at ?? NOW),
    "X-Content-Sha256": sha256hex(body),
  };
  const authorization = authorizationHeader({
    method: "POST",
    path: "/",
    query,
    headers,
    body,
    accessKeyId: key.accessKeyId,
    secretKey: key.secret,
    region: call.region ?? "cn-beijing",
    service: call.service ?? "id",
    xDate: headers["X-Date"]!,
  });
  const signed = { ...headers, Authorization: authorization };
  const qs = query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%20/g, "+")}`).join("&");
  return new Request(`http://id.example/?${qs}`, { method: "POST", headers: call.tamper ? call.tamper(signed) : signed, body });
}

/** Just enough of Hono's Context for one middleware: variables, response headers, json. */
export function fakeContext(vars: Record<string, unknown>) {
  const store = new Map(Object.entries(vars));
  const headers = new Map<string, string>();
  return {
    store,
    headers,
    get: (k: string) => store.get(k),
    set: (k: string, v: unknown) => void store.set(k, v),
    header: (k: string, v: string) => void headers.set(k, v),
  };
}
