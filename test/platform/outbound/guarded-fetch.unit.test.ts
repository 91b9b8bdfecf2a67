// The guarded outbound fetch (src/platform/outbound/guarded-fetch.ts) and the write-time endpoint
// check (endpoint-check.ts), against http and https servers on loopback in this process (no database,
// no app): what a URL may be, which addresses a name may resolve to, redirects (each status, relative,
// without Location, too many, to a refused place), status and size limits (declared and streamed), the
// time bound, TLS trust and failures, and every failure's reason and words. A server that never
// answers ends in "timeout" whatever the machine's speed: the reason is judged, not the time.
// In the unit set the mutation run (stryker.config.mjs) reruns.
import { readFileSync } from "node:fs";
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttps } from "node:https";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endpointRefusal } from "../../../src/platform/outbound/endpoint-check.js";
import { GuardedFetcher, OutboundError, fetcherFor, type OutboundPolicy } from "../../../src/platform/outbound/guarded-fetch.js";

const TLS = new URL("../../fixtures/tls/", import.meta.url);
const CERT = readFileSync(new URL("localhost.pem", TLS), "utf8");
const KEY = readFileSync(new URL("localhost-key.pem", TLS), "utf8");

function handler(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", "http://x");
  const [, route, arg] = url.pathname.split("/");
  const n = Number(arg ?? 0);
  switch (route) {
    case "json":
      res.writeHead(200, { "content-type": "application/json" });
      return res.end('{"ok":true}');
    case "headers":
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ accept: req.headers.accept, agent: req.headers["user-agent"], method: req.method }));
    case "plain":
      // No content-type header at all.
      res.removeHeader("content-type");
      res.writeHead(200);
      return res.end("text");
    case "redirect":
      res.writeHead(n, { location: url.searchParams.get("to") ?? "/json" });
      return res.end();
    case "no-location":
      res.writeHead(302);
      return res.end();
    case "chain":
      res.writeHead(302, { location: n > 0 ? `/chain/${n - 1}` : "/json" });
      return res.end();
    case "status":
      res.writeHead(n, { "content-type": "text/plain" });
      return res.end("x");
    case "declared":
      res.writeHead(200, { "content-length": String(n) });
      return res.end("a".repeat(n));
    case "streamed": {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      // Chunks of 100 bytes, so the limit is crossed inside the stream, never declared.
      for (let i = 0; i < n; i += 100) res.write("b".repeat(Math.min(100, n - i)));
      return res.end();
    }
    case "hang":
      return; // never answers
    case "lying":
      // Declares n bytes, sends one and never ends: only the declared length can refuse it at once.
      res.writeHead(200, { "content-length": String(n) });
      return void res.write("a");
    case "cut":
      // Declares n bytes, sends ten, then drops the connection in the middle of the body.
      res.writeHead(200, { "content-length": String(n) });
      res.write("a".repeat(10));
      return void setTimeout(() => res.socket?.destroy(), 50);
    default:
      res.writeHead(404);
      return res.end();
  }
}

let http: Server;
let https: Server;
let httpPort: number;
let httpsPort: number;
let closedPort: number;

const listen = (s: Server) => new Promise<number>((resolve) => s.listen(0, "127.0.0.1", () => resolve((s.address() as AddressInfo).port)));

beforeAll(async () => {
  http = createHttp(handler);
  https = createHttps({ cert: CERT, key: KEY }, handler);
  httpPort = await listen(http);
  httpsPort = await listen(https);
  // A port that was free a moment ago: nothing listens there.
  const probe = net.createServer();
  closedPort = await new Promise<number>((resolve) => probe.listen(0, "127.0.0.1", () => resolve((probe.address() as AddressInfo).port)));
  await new Promise((resolve) => probe.close(resolve));
});
afterAll(async () => {
  http?.closeAllConnections();
  https?.closeAllConnections();
  await Promise.all([http, https].map((s) => new Promise((resolve) => (s ? s.close(resolve) : resolve(undefined)))));
});

const policy = (over: Partial<OutboundPolicy> = {}): OutboundPolicy => ({
  allowedAddresses: ["127.0.0.1"],
  allowHttpLoopback: true,
  extraCa: CERT,
  maxBytes: 1000,
  timeoutMs: 5000,
  maxRedirects: 3,
  ...over,
});
const local = (path: string) => `http://127.0.0.1:${httpPort}${path}`;
const secure = (path: string) => `https://localhost:${httpsPort}${path}`;

async function failure(p: OutboundPolicy, url: string): Promise<OutboundError> {
  try {
    await new GuardedFetcher(p).get(url);
  } catch (err) {
    if (err instanceof OutboundError) return err;
    throw err;
  }
  throw new Error(`${url} was fetched`);
}
const reasonOf = async (p: OutboundPolicy, url: string) => {
  const err = await failure(p, url);
  return [err.reason, err.message];
};

describe("guarded fetch: what it fetches", () => {
  it("GETs over http to loopback when allowed, with its own headers, and answers status, type, body and URL", async () => {
    const r = await new GuardedFetcher(policy()).get(local("/json"));
    expect(r).toEqual({ url: local("/json"), status: 200, contentType: "application/json", body: Buffer.from('{"ok":true}') });
    const h = await new GuardedFetcher(policy()).get(local("/headers"));
    expect(JSON.parse(h.body.toString())).toEqual({ accept: "application/json, application/xml;q=0.9", agent: "idplane", method: "GET" });
  });

  it("answers an empty content type when the server names none", async () => {
    expect((await new GuardedFetcher(policy()).get(local("/plain"))).contentType).toBe("");
  });

  it("GETs over https, trusting the extra CA beside the bundled roots", async () => {
    const r = await new GuardedFetcher(policy({ allowHttpLoopback: false })).get(secure("/json"));
    expect(r.status).toBe(200);
    expect(r.url).toBe(secure("/json"));
  });

  it("accepts 2xx answers to the edges", async () => {
    for (const s of [200, 204, 299]) expect((await new GuardedFetcher(policy()).get(local(`/status/${s}`))).status).toBe(s);
  });

  it("reads a body of exactly the limit, declared or streamed", async () => {
    expect((await new GuardedFetcher(policy()).get(local("/declared/1000"))).body.length).toBe(1000);
    expect((await new GuardedFetcher(policy()).get(local("/streamed/1000"))).body.length).toBe(1000);
  });

  it("keeps one fetcher per policy object", () => {
    const p = policy();
    expect(fetcherFor(p)).toBe(fetcherFor(p));
    expect(fetcherFor(p)).not.toBe(fetcherFor(policy()));
  });
});

describe("guarded fetch: redirects", () => {
  it.each([301, 302, 303, 307, 308])("follows %i to the Location, relative to the current URL", async (status) => {
    const r = await new GuardedFetcher(policy()).get(local(`/redirect/${status}?to=../json`));
    expect(r.url).toBe(local("/json"));
    expect(r.body.toString()).toBe('{"ok":true}');
  });

  it("follows exactly maxRedirects redirects, and refuses one more", async () => {
    expect((await new GuardedFetcher(policy({ maxRedirects: 3 })).get(local("/chain/2"))).url).toBe(local("/json"));
    expect(await reasonOf(policy({ maxRedirects: 3 }), local("/chain/3"))).toEqual(["redirect", "more than 3 redirects"]);
    expect(await reasonOf(policy({ maxRedirects: 0 }), local("/chain/0"))).toEqual(["redirect", "more than 0 redirects"]);
  });

  it("refuses a redirect without a Location", async () => {
    expect(await reasonOf(policy(), local("/no-location"))).toEqual(["redirect", "HTTP 302 without a Location"]);
  });

  it("holds every hop to the same rules", async () => {
    expect(await reasonOf(policy(), local("/redirect/302?to=http://example.com/"))).toEqual([
      "url",
      "plain http is refused (http://example.com); use https",
    ]);
    expect(await reasonOf(policy(), local("/redirect/302?to=https://10.0.0.1/"))).toEqual([
      "address",
      "10.0.0.1 is not a public address (loopback, private, link-local or reserved)",
    ]);
    expect(await reasonOf(policy(), local("/redirect/302?to=file:///etc/passwd"))).toEqual([
      "url",
      "the scheme file: is refused; use https",
    ]);
  });
});

describe("guarded fetch: refusals and failures", () => {
  it.each([
    ["not a URL", "not a url", ["url", '"not a url" is not an absolute URL']],
    ["a relative URL", "/json", ["url", '"/json" is not an absolute URL']],
    ["credentials", "https://u:p@localhost/", ["url", "a URL with credentials is refused"]],
    ["a user name", "https://u@localhost/", ["url", "a URL with credentials is refused"]],
    ["a password", "https://:p@localhost/", ["url", "a URL with credentials is refused"]],
    ["http elsewhere", "http://example.com/x", ["url", "plain http is refused (http://example.com); use https"]],
    ["ftp", "ftp://example.com/x", ["url", "the scheme ftp: is refused; use https"]],
    ["a private literal", "https://10.1.2.3/", ["address", "10.1.2.3 is not a public address (loopback, private, link-local or reserved)"]],
    ["an IPv6 literal", "https://[fd00::1]/", ["address", "fd00::1 is not a public address (loopback, private, link-local or reserved)"]],
    [
      "an octal literal",
      "https://0177.0.0.2/",
      ["address", "127.0.0.2 is not a public address (loopback, private, link-local or reserved)"],
    ],
    [
      "a mapped literal",
      "https://[::ffff:169.254.169.254]/",
      ["address", "::ffff:a9fe:a9fe is not a public address (loopback, private, link-local or reserved)"],
    ],
  ])("refuses %s before connecting", async (_name, url, expected) => {
    expect(await reasonOf(policy(), url)).toEqual(expected);
    expect(new GuardedFetcher(policy()).refusal(url)).toBe(expected[1]);
  });

  it("cuts a long non-URL short in the refusal", async () => {
    const raw = `x${"y".repeat(300)}`;
    expect(new GuardedFetcher(policy()).refusal(raw)).toBe(`${JSON.stringify(raw.slice(0, 200))} is not an absolute URL`);
  });

  it("lets plain http reach only loopback hosts, and only when allowed", async () => {
    const strict = policy({ allowHttpLoopback: false });
    expect(await reasonOf(strict, local("/json"))).toEqual(["url", `plain http is refused (http://127.0.0.1:${httpPort}); use https`]);
    expect(new GuardedFetcher(policy()).refusal(`http://localhost:${httpPort}/`)).toBeUndefined();
    expect(new GuardedFetcher(policy()).refusal(`http://[::1]:${httpPort}/`)).toMatch(/::1 is not a public address/);
    expect(new GuardedFetcher(policy()).refusal("http://10.0.0.1/")).toBe("plain http is refused (http://10.0.0.1); use https");
    expect(new GuardedFetcher(policy()).refusal("https://example.com/")).toBeUndefined();
  });

  it("refuses a name whose every address is refused, naming the first", async () => {
    expect(await reasonOf(policy({ allowedAddresses: [] }), `http://localhost:${httpPort}/json`)).toEqual([
      "address",
      "localhost resolves to 127.0.0.1 is not a public address (loopback, private, link-local or reserved)",
    ]);
    expect(await reasonOf(policy({ allowedAddresses: [] }), `https://localhost:${httpsPort}/json`)).toEqual([
      "address",
      "localhost resolves to 127.0.0.1 is not a public address (loopback, private, link-local or reserved)",
    ]);
  });

  it("reaches a name through an allowed address, with and without happy eyeballs", async () => {
    const before = net.getDefaultAutoSelectFamily();
    try {
      for (const family of [true, false]) {
        net.setDefaultAutoSelectFamily(family);
        const r = await new GuardedFetcher(policy()).get(`http://localhost:${httpPort}/json`);
        expect(r.status, String(family)).toBe(200);
      }
    } finally {
      net.setDefaultAutoSelectFamily(before);
    }
  });

  it("names a name that does not resolve", async () => {
    const [reason, message] = await reasonOf(policy(), "https://idplane-test.invalid/x");
    expect(reason).toBe("dns");
    expect(message).toMatch(/^idplane-test\.invalid does not resolve \([A-Z_]+\)$/);
  });

  it("refuses an answer outside 2xx, naming origin and path only", async () => {
    expect(await reasonOf(policy(), local("/status/404?secret=1"))).toEqual([
      "status",
      `http://127.0.0.1:${httpPort}/status/404 answered HTTP 404`,
    ]);
    expect(await reasonOf(policy(), local("/status/300"))).toEqual(["status", `http://127.0.0.1:${httpPort}/status/300 answered HTTP 300`]);
    expect(await reasonOf(policy(), local("/status/500"))).toEqual(["status", `http://127.0.0.1:${httpPort}/status/500 answered HTTP 500`]);
    expect(await reasonOf(policy(), local("/redirect/304"))).toEqual([
      "status",
      `http://127.0.0.1:${httpPort}/redirect/304 answered HTTP 304`,
    ]);
  });

  it("refuses a body over the limit, declared or streamed", async () => {
    expect(await reasonOf(policy(), local("/declared/1001"))).toEqual(["too-large", "the answer exceeds 1000 bytes"]);
    expect(await reasonOf(policy(), local("/streamed/1001"))).toEqual(["too-large", "the answer exceeds 1000 bytes"]);
    expect(await reasonOf(policy(), local("/streamed/50000"))).toEqual(["too-large", "the answer exceeds 1000 bytes"]);
  });

  it("refuses a declared length over the limit before reading the body", async () => {
    expect(await reasonOf(policy(), local("/lying/1001"))).toEqual(["too-large", "the answer exceeds 1000 bytes"]);
  });

  it("names a connection dropped in the middle of the body", async () => {
    expect(await reasonOf(policy(), local("/cut/100"))).toEqual(["unreachable", `127.0.0.1:${httpPort} could not be reached (ECONNRESET)`]);
  });

  it("ends an exchange that takes too long as a timeout", async () => {
    expect(await reasonOf(policy({ timeoutMs: 300 }), local("/hang"))).toEqual(["timeout", "no complete answer within 0.3 s"]);
    expect(await reasonOf(policy({ timeoutMs: 300 }), secure("/hang"))).toEqual(["timeout", "no complete answer within 0.3 s"]);
  });

  it("names a connection nobody accepts", async () => {
    expect(await reasonOf(policy(), `http://127.0.0.1:${closedPort}/`)).toEqual([
      "unreachable",
      `127.0.0.1:${closedPort} could not be reached (ECONNREFUSED)`,
    ]);
  });

  it("names TLS failures: an untrusted certificate, a name it does not cover", async () => {
    expect(await reasonOf(policy({ extraCa: undefined }), secure("/json"))).toEqual([
      "tls",
      `TLS with localhost:${httpsPort} failed (DEPTH_ZERO_SELF_SIGNED_CERT)`,
    ]);
    expect(await reasonOf(policy(), `https://127.0.0.1:${httpsPort}/json`)).toEqual([
      "tls",
      `TLS with 127.0.0.1:${httpsPort} failed (ERR_TLS_CERT_ALTNAME_INVALID)`,
    ]);
  });

  it("names a plain server spoken to in TLS as unreachable, with its code", async () => {
    const [reason, message] = await reasonOf(policy(), `https://localhost:${httpPort}/json`);
    expect(reason).toBe("unreachable");
    expect(message).toMatch(new RegExp(`^localhost:${httpPort} could not be reached \\((EPROTO|ECONNRESET|[A-Z_]+)\\)$`));
    expect(message).not.toMatch(/SSL|TLS|CERT/);
  });
});

describe("endpoint check at write time", () => {
  it("refuses what the fetch would refuse without DNS", async () => {
    expect(await endpointRefusal(policy(), "http://example.com/token")).toBe("plain http is refused (http://example.com); use https");
    expect(await endpointRefusal(policy(), "https://10.0.0.1/token")).toMatch(/^10\.0\.0\.1 is not a public address/);
  });

  it("leaves a public name and an allowed literal to the fetch", async () => {
    expect(await endpointRefusal(policy(), "https://idp.example.com/token")).toBeUndefined();
    expect(await endpointRefusal(policy(), "https://127.0.0.1/token")).toBeUndefined();
    expect(await endpointRefusal(policy({ allowedAddresses: ["::1"] }), "https://[::1]/token")).toBeUndefined();
  });

  it("refuses an internal name unless an address it resolves to is allowed, naming no address", async () => {
    const message = "localhost is an internal name, refused unless ID_OUTBOUND_ALLOW_ADDRESSES allows its address";
    expect(await endpointRefusal(policy({ allowedAddresses: [] }), "https://localhost/token")).toBe(message);
    expect(await endpointRefusal(policy({ allowedAddresses: [] }), "https://LOCALHOST./token")).toBe(message);
    expect(await endpointRefusal(policy({ allowedAddresses: ["10.0.0.0/8"] }), "https://localhost/token")).toBe(message);
    expect(await endpointRefusal(policy({ allowedAddresses: ["127.0.0.0/8"] }), "https://localhost/token")).toBeUndefined();
    expect(await endpointRefusal(policy({ allowedAddresses: ["127.0.0.0/8"] }), "https://LocalHost./token")).toBeUndefined();
  });

  it("names the host as written, less only a trailing dot", async () => {
    expect(await endpointRefusal(policy({ allowedAddresses: [] }), "https://idplane-test.internal./token")).toBe(
      "idplane-test.internal is an internal name, refused unless ID_OUTBOUND_ALLOW_ADDRESSES allows its address",
    );
  });

  it("refuses an internal name that does not resolve", async () => {
    expect(await endpointRefusal(policy({ allowedAddresses: ["0.0.0.0/0", "::/0"] }), "https://idplane-test-nohost/token")).toBe(
      "idplane-test-nohost is an internal name, refused unless ID_OUTBOUND_ALLOW_ADDRESSES allows its address",
    );
  });
});

// exchange(): one request without following redirects (the token endpoint's POST, UserInfo's GET
// with a bearer token), under the same rules; any status answered with its body.
describe("guarded fetch: one exchange", () => {
  let server: Server;
  let port: number;
  const at = (path: string) => `http://127.0.0.1:${port}${path}`;
  beforeAll(async () => {
    server = createHttp((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (req.url === "/redirect") {
          res.writeHead(302, { location: "/echo" });
          return res.end();
        }
        if (req.url === "/hang") return;
        res.writeHead(req.url === "/bad" ? 400 : 200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            method: req.method,
            length: req.headers["content-length"] ?? null,
            chunked: req.headers["transfer-encoding"] ?? null,
            type: req.headers["content-type"] ?? null,
            authorization: req.headers.authorization ?? null,
            accept: req.headers.accept,
            agent: req.headers["user-agent"],
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      });
    });
    port = await listen(server);
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });
  const echo = async (init: Parameters<GuardedFetcher["exchange"]>[1], path = "/echo", p = policy()) =>
    JSON.parse((await new GuardedFetcher(p).exchange(at(path), init)).body.toString("utf8"));

  it("POSTs the body as UTF-8 with its exact length and the caller's headers", async () => {
    const body = "grant_type=authorization_code&code=é";
    expect(await echo({ method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body })).toEqual({
      method: "POST",
      length: String(Buffer.byteLength(body)),
      chunked: null,
      type: "application/x-www-form-urlencoded",
      authorization: null,
      accept: "application/json, application/xml;q=0.9",
      agent: "idplane",
      body,
    });
  });

  it("GETs without a body or a length, with the caller's headers", async () => {
    expect(await echo({ method: "GET", headers: { authorization: "Bearer t" } })).toMatchObject({
      method: "GET",
      length: null,
      chunked: null,
      authorization: "Bearer t",
      body: "",
    });
    expect(await echo({ method: "POST", body: "" })).toMatchObject({ method: "POST", length: "0", body: "" });
  });

  it("answers any status with its body, where get() refuses it", async () => {
    const res = await new GuardedFetcher(policy()).exchange(at("/bad"), { method: "POST", body: "x" });
    expect([res.status, JSON.parse(res.body.toString()).body]).toEqual([400, "x"]);
    await expect(new GuardedFetcher(policy()).get(at("/bad"))).rejects.toMatchObject({ reason: "status" });
  });

  it("refuses a redirect instead of following it", async () => {
    await expect(new GuardedFetcher(policy()).exchange(at("/redirect"), { method: "POST", body: "x" })).rejects.toMatchObject({
      reason: "redirect",
      message: "the endpoint answered with a redirect",
    });
    expect((await new GuardedFetcher(policy()).get(at("/redirect"))).url).toBe(at("/echo"));
  });

  it("holds the exchange to the time bound", async () => {
    await expect(new GuardedFetcher(policy({ timeoutMs: 200 })).exchange(at("/hang"), { method: "GET" })).rejects.toMatchObject({
      reason: "timeout",
    });
  });

  it("holds the exchange to the address rules", async () => {
    await expect(new GuardedFetcher(policy({ allowedAddresses: [] })).exchange(at("/echo"), { method: "GET" })).rejects.toMatchObject({
      reason: "address",
    });
  });
});
