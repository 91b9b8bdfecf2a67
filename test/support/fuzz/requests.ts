// Hostile requests for the fuzz suite as plain data (method, path+query, headers, body bytes), so the
// same case can be sent in-process (app.request) or over a loopback socket. Each case says what it
// may legitimately get: `ok-allowed` (signed by an admin key, may be valid), `never-ok` (must be refused).
import fc from "fast-check";
import type { AnyAction } from "../../../src/core/action.js";
import { authorizationHeader, encode, presignedQuery, sha256hex, xDateOf, type SignInput } from "../signer.js";
import { deepJson, hostileString, objectFor, type KnownValues } from "./schema.js";

export interface FuzzKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface FuzzCase {
  kind: string;
  action: string;
  method: string;
  /** path and query as sent */
  target: string;
  headers: Record<string, string>;
  body: Buffer;
  expect: "ok-allowed" | "never-ok";
}

export interface FuzzWorld {
  actions: AnyAction[];
  admin: FuzzKey;
  readonly: FuzzKey;
  region: string;
  host: string;
  bodyLimit: number;
  now: () => Date;
  known: (field: string, action: string) => ReturnType<KnownValues>;
}

const VERSION = "2025-10-30";
const qs = (pairs: [string, string][]) => pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&");

/** Flattens parameters to `A.B` / `A.1` pairs, as form bodies and query strings carry them. */
export function flatten(value: unknown, prefix = "", out: [string, string][] = []): [string, string][] {
  if (Array.isArray(value)) value.forEach((v, i) => flatten(v, `${prefix}.${i + 1}`, out));
  else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  else out.push([prefix || "Value", String(value)]);
  return out;
}

/** A signed request, Go-style: host, content-type, x-content-sha256 and x-date signed. */
export function signedCase(
  w: Pick<FuzzWorld, "admin" | "host" | "now" | "region">,
  p: { action: string; key?: FuzzKey; method?: string; query?: [string, string][]; body?: Buffer; contentType?: string; at?: Date },
) {
  const key = p.key ?? w.admin;
  const method = p.method ?? "POST";
  const query: [string, string][] = [["Action", p.action], ["Version", VERSION], ...(p.query ?? [])];
  const body = p.body ?? Buffer.from("{}");
  const headers: Record<string, string> = {
    Host: w.host,
    "Content-Type": p.contentType ?? "application/json",
    "X-Date": xDateOf(p.at ?? w.now()),
    "X-Content-Sha256": sha256hex(body),
  };
  const input: SignInput = {
    method,
    path: "/",
    query,
    headers,
    body,
    accessKeyId: key.accessKeyId,
    secretKey: key.secretAccessKey,
    region: w.region,
    service: "id",
    xDate: headers["X-Date"]!,
  };
  return { method, target: `/?${qs(query)}`, headers: { ...headers, Authorization: authorizationHeader(input) }, body, input };
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

/** Raw bodies that are not what any action expects. */
const rawBody = (w: FuzzWorld) =>
  fc.oneof(
    fc
      .constantFrom(
        "",
        "{",
        "}",
        "[]",
        "null",
        "1",
        '"s"',
        "true",
        "{'Name':'x'}",
        '{"Name":}',
        '{"Name":"a",}',
        "\ufeff{}",
        '{"a":1}{"b":2}',
        "{}\u0000",
      )
      .map((s) => Buffer.from(s)),
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
    // invalid UTF-8 inside an otherwise fine JSON string
    fc
      .constantFrom([0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf0, 0x28, 0x8c, 0xbc])
      .map((b) => Buffer.concat([Buffer.from('{"Name":"'), Buffer.from(b), Buffer.from('"}')])),
    deepJson.map((s) => Buffer.from(s)),
    // the same name in several cases, in one JSON text (later wins, as in Go)
    fc
      .tuple(fc.constantFrom("Name", "UserPoolUid", "Email", "PageSize"), hostileString)
      .map(([n, v]) => Buffer.from(`{"${n}":"ok","${n.toLowerCase()}":${JSON.stringify(v)},"${n.toUpperCase()}":7}`)),
    // at and over the body limit
    fc.constantFrom(0, 1).map((over) => {
      const frame = '{"Name":"limit","Pad":""}';
      return Buffer.from(frame.slice(0, -2) + "x".repeat(w.bodyLimit - frame.length + over) + '"}');
    }),
  );

/** Authorization and X-Date values a broken or hostile client sends. */
const badAuthorization = fc.oneof(
  fc.constantFrom(
    "",
    "HMAC-SHA256",
    "HMAC-SHA256 ",
    "AWS4-HMAC-SHA256 Credential=x",
    "HMAC-SHA256 Credential",
    "HMAC-SHA256 =,=,=",
    "Bearer abc",
    "hmac-sha256 Credential=a/20250101/cn-beijing/id/request, SignedHeaders=host, Signature=00",
  ),
  // Latin-1 without DEL: what an HTTP client can put in a header value at all.
  fc.string({
    unit: fc
      .integer({ min: 0x20, max: 0xff })
      .filter((c) => c !== 0x7f)
      .map((c) => String.fromCharCode(c)),
    maxLength: 300,
  }),
  fc
    .tuple(fc.string({ maxLength: 40 }), fc.string({ maxLength: 20 }), fc.string({ maxLength: 70 }))
    .map(([cred, sh, sig]) =>
      `HMAC-SHA256 Credential=${cred}, SignedHeaders=${sh}, Signature=${sig}`.replace(/[\u0000-\u001f\u007f-\uffff]/g, "?"),
    ),
);
const badXDate = fc.oneof(
  fc.constantFrom(
    "",
    "0",
    "20250101",
    "20251301T000000Z",
    "20250230T250000Z",
    "99999999T999999Z",
    "19700101T000000Z",
    "20250101T000000",
    "2025-01-01T00:00:00Z",
    "20250101t000000z",
    " 20250101T000000Z",
  ),
  fc.date({ min: new Date("0001-01-01"), max: new Date("9999-12-31"), noInvalidDate: true }).map((d) => xDateOf(d)),
  fc.string({ unit: fc.constantFrom(..."0123456789TZ-:"), maxLength: 20 }),
);

/** A broken signature: every one of these must be refused, whatever the parameters. */
function brokenAuth(w: FuzzWorld, action: AnyAction) {
  return fc.tuple(fc.nat(9), badAuthorization, badXDate, fc.nat(1000)).map(([mode, auth, xdate, n]) => {
    const base = signedCase(w, { action: action.name, body: json({ Name: `x${n}` }) });
    const h: Record<string, string> = { ...base.headers };
    switch (mode) {
      case 0:
        delete h.Authorization;
        break;
      case 1:
        h.Authorization = auth;
        break;
      case 2:
        h["X-Date"] = xdate;
        break;
      case 3:
        return {
          ...signedCase(w, { action: action.name, at: new Date(w.now().getTime() + (n % 2 ? 1 : -1) * 3600_000) }),
          kind: "auth:skew",
        };
      case 4:
        return {
          ...signedCase(w, { action: action.name, key: { accessKeyId: `AKLTnope${n}`, secretAccessKey: "x".repeat(40) } }),
          kind: "auth:unknown-key",
        };
      case 5:
        return {
          ...signedCase(w, { action: action.name, key: { ...w.admin, secretAccessKey: w.admin.secretAccessKey + "x" } }),
          kind: "auth:wrong-secret",
        };
      case 6:
        return { ...base, body: json({ Name: `tampered${n}` }), kind: "auth:body-changed" };
      case 7:
        return { ...base, target: `${base.target}&Name=added${n}`, kind: "auth:query-added" };
      case 8:
        h.Authorization = h.Authorization!.replace(/Signature=[0-9a-f]+/, `Signature=${"0".repeat(64)}`);
        break;
      default:
        h.Authorization = h.Authorization!.replace("cn-beijing", "cn-shanghai");
        break;
    }
    return { ...base, headers: h, kind: `auth:${mode}` };
  });
}

/** Requests that never get as far as a signature: garbage routing. */
const unsigned = (w: FuzzWorld) =>
  fc
    .tuple(
      fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"),
      fc.constantFrom("/", "/", "//", "/x", "/%00", "/..%2f", "/index.php", "/?"),
      fc.oneof(
        fc.constantFrom(
          "",
          "Action=",
          "Version=2025-10-30",
          "Action=CreateUserPool",
          "Action=CreateUserPool&Version=2020-01-01",
          "Action=%ZZ&Version=%",
          "Action=%C3%28&Version=2025-10-30",
          "Action=Nope&Version=2025-10-30",
          "Action=CreateUserPool&Action=DeleteUserPool&Version=2025-10-30",
          "Action=%0A%7B%22level%22%3A60%2C%22msg%22%3A%22forged%22%7D&Version=2025-10-30",
          "X-Signature=zz&X-Algorithm=HMAC-SHA256&Action=ListUserPools&Version=2025-10-30",
          "Action=ListUserPools&Version=2025-10-30&X-Credential=a%2F2&X-Date=1&X-Algorithm=HMAC-SHA256&X-SignedHeaders=&X-Signature=00",
        ),
        fc.string({
          unit: fc
            .integer({ min: 0x21, max: 0x7e })
            .map((c) => String.fromCharCode(c))
            .filter((c) => c !== "#"),
          maxLength: 80,
        }),
      ),
    )
    .map(([method, path, query]) => ({
      method,
      target: path.includes("?") ? path + query : `${path}?${query}`,
      headers: { Host: w.host, "Content-Type": "application/json" },
      body: Buffer.from(method === "GET" ? "" : "{}"),
      kind: "unsigned",
    }));

/**
 * Requests whose signature is right but that carry something unsigned (docs/spec/signing.md §5, §5a): a body
 * on a presigned URL that does not sign it, an appended control or action parameter, signed JSON
 * relabelled as a form. Every one must be refused, whatever the parameters.
 */
function coverageAttack(w: FuzzWorld, action: AnyAction, params: fc.Arbitrary<Record<string, unknown>>) {
  const presign = (p: Record<string, unknown>, method: string, expires?: number) =>
    `/?${presignedQuery({
      query: [["Action", action.name], ["Version", VERSION], ...flatten(p)],
      accessKeyId: w.admin.accessKeyId,
      secretKey: w.admin.secretAccessKey,
      region: w.region,
      service: "id",
      xDate: xDateOf(w.now()),
      method,
      ...(expires !== undefined && { expires }),
    })}`;
  const appended = fc.constantFrom(
    "X-Expires=604800",
    "X-NotSignBody=",
    "X-Security-Token=t",
    "X-Anything=1",
    "UserPoolUid=other",
    "Name=added",
  );
  type Attack = { method: string; target: string; headers: Record<string, string>; body: Buffer; kind: string };
  return fc.tuple(fc.nat(2), params, params, appended).map(([mode, p, bodyParams, extra]): Attack => {
    switch (mode) {
      case 0:
        return {
          method: "POST",
          target: presign(p, "POST"),
          headers: { Host: w.host, "Content-Type": "application/json" },
          body: json({ ...bodyParams, Name: "from-body" }),
          kind: "coverage:presigned-body",
        };
      case 1:
        return {
          method: "GET",
          target: `${presign(p, "GET", 60)}&${extra}`,
          headers: { Host: w.host },
          body: Buffer.alloc(0),
          kind: "coverage:unsigned-param",
        };
      default: {
        // Content-Type left out of the signature (as the Node SDK does), then switched to a form.
        const c = signedCase(w, { action: action.name, body: json({ ...p, Name: "x&Name=injected&z=" }) });
        const input = { ...c.input, headers: Object.fromEntries(Object.entries(c.input.headers).filter(([k]) => k !== "Content-Type")) };
        return {
          ...c,
          headers: { ...c.headers, Authorization: authorizationHeader(input), "Content-Type": "application/x-www-form-urlencoded" },
          kind: "coverage:content-type",
        };
      }
    }
  });
}

/** One hostile case for an action: the mix the suite runs. */
export function fuzzCase(w: FuzzWorld, action: AnyAction): fc.Arbitrary<FuzzCase> {
  const params = objectFor(action.input, (f) => w.known(f, action.name), 6);
  const admin = (kind: string, c: ReturnType<typeof signedCase>) => ({ ...c, kind, action: action.name, expect: "ok-allowed" as const });
  const refused = (c: { method: string; target: string; headers: Record<string, string>; body: Buffer; kind: string }) => ({
    ...c,
    action: action.name,
    expect: "never-ok" as const,
  });
  return fc.oneof(
    { weight: 10, arbitrary: params.map((p) => admin("json", signedCase(w, { action: action.name, body: json(p) }))) },
    {
      weight: 2,
      arbitrary: params.map((p) =>
        admin(
          "form",
          signedCase(w, { action: action.name, body: Buffer.from(qs(flatten(p))), contentType: "application/x-www-form-urlencoded" }),
        ),
      ),
    },
    {
      weight: 2,
      arbitrary: params.map((p) =>
        admin("query", signedCase(w, { action: action.name, method: "GET", query: flatten(p), body: Buffer.alloc(0) })),
      ),
    },
    { weight: 3, arbitrary: rawBody(w).map((b) => admin("raw-body", signedCase(w, { action: action.name, body: b }))) },
    {
      // Query-form signature (presigned GET), with odd X-Expires values too.
      weight: 1,
      arbitrary: fc.tuple(params, fc.constantFrom(undefined, 900, 0, -5, 7 * 24 * 3600 + 1, 1e15)).map(([p, expires]) => ({
        method: "GET",
        headers: { Host: w.host },
        body: Buffer.alloc(0),
        kind: "presigned",
        action: action.name,
        expect: "ok-allowed" as const,
        target: `/?${presignedQuery({
          query: [["Action", action.name], ["Version", VERSION], ...flatten(p)],
          accessKeyId: w.admin.accessKeyId,
          secretKey: w.admin.secretAccessKey,
          region: w.region,
          service: "id",
          xDate: xDateOf(w.now()),
          ...(expires !== undefined && { expires }),
        })}`,
      })),
    },
    { weight: 2, arbitrary: coverageAttack(w, action, params).map(refused) },
    {
      weight: 1,
      arbitrary: params.map((p) => {
        const c = signedCase(w, { action: action.name, key: w.readonly, body: json(p) });
        // A readonly key may read; a write must be refused.
        return {
          ...c,
          kind: "readonly",
          action: action.name,
          expect: action.access === "write" ? ("never-ok" as const) : ("ok-allowed" as const),
        };
      }),
    },
    { weight: 3, arbitrary: brokenAuth(w, action).map(refused) },
    { weight: 1, arbitrary: unsigned(w).map(refused) },
  );
}
