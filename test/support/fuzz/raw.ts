// Byte-level requests no HTTP client library will send: bare CR/LF and NUL in header values,
// duplicated auth headers, invalid UTF-8 in the request line, lying Content-Length, chunked bodies
// over the limit, pipelining, half-sent requests. Sent on raw loopback sockets; returns every status
// line the server wrote, so the suite can assert that none was a 5xx and the server still answers.
import { connect } from "node:net";
import { signedCase, type FuzzWorld } from "./requests.js";

export interface RawOutcome {
  name: string;
  statuses: number[];
  text: string;
}

function head(w: FuzzWorld, action: string, body: Buffer, extra: string[] = [], drop: string[] = []): string {
  const c = signedCase(w, { action, body });
  const lines = Object.entries(c.headers)
    .filter(([k]) => !drop.includes(k))
    .map(([k, v]) => `${k}: ${v}`);
  // Connection: close, so the answer ends with the socket and the case needs no waiting.
  return `POST ${c.target} HTTP/1.1\r\n${[...lines, ...extra, "Connection: close"].join("\r\n")}\r\n`;
}

/** The raw requests, as [name, bytes] (a request may be sent in several writes). */
export function rawCases(w: FuzzWorld): [string, Buffer[]][] {
  const body = Buffer.from('{"PageSize":7}');
  const ok = (extra: string[] = [], drop: string[] = []) =>
    Buffer.from(head(w, "ListUserPools", body, [...extra, `Content-Length: ${body.length}`], drop) + "\r\n" + body.toString());
  const s = (t: string) => Buffer.from(t, "latin1");
  return [
    ["valid baseline", [ok()]],
    ["bare CR in a header value", [ok(["X-Note: a\rX-Injected: yes"])]],
    ["bare LF in a header value", [ok(["X-Note: a\nX-Injected: yes"])]],
    ["NUL in a header value", [ok(["X-Note: a\u0000b"])]],
    [
      "two Authorization headers",
      [ok(["Authorization: HMAC-SHA256 Credential=x/20250101/cn-beijing/id/request, SignedHeaders=host, Signature=" + "0".repeat(64)])],
    ],
    ["two X-Date headers", [ok(["X-Date: 20250101T000000Z"])]],
    [
      "latin-1 bytes in Authorization",
      [
        s(
          head(w, "ListUserPools", body, ["Content-Length: 14"], ["Authorization"]) +
            "Authorization: HMAC-SHA256 Credential=\xe9\xff/20250101/cn-beijing/id/request\r\n\r\n" +
            body.toString(),
        ),
      ],
    ],
    [
      "invalid UTF-8 in the request line",
      [s("GET /?Action=\xff\xfe%C3%28&Version=2025-10-30 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")],
    ],
    [
      "percent-encoded invalid UTF-8 in the query",
      [s("GET /?Action=ListUserPools&Version=2025-10-30&Name=%FF%FE%ED%A0%80 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")],
    ],
    ["Content-Length far over the limit, no body", [s(head(w, "CreateUserPool", body, [`Content-Length: ${w.bodyLimit * 100}`]) + "\r\n")]],
    ["Content-Length not a number", [s(head(w, "CreateUserPool", body, ["Content-Length: 1e3"]) + "\r\n{}")]],
    [
      "Content-Length and Transfer-Encoding together",
      [s(head(w, "CreateUserPool", body, ["Content-Length: 2", "Transfer-Encoding: chunked"]) + "\r\n2\r\n{}\r\n0\r\n\r\n")],
    ],
    [
      "Content-Length shorter than the body",
      [Buffer.from(head(w, "ListUserPools", body, ["Content-Length: 3"]) + "\r\n" + body.toString())],
    ],
    [
      "chunked body over the limit",
      [
        s(head(w, "CreateUserPool", body, ["Transfer-Encoding: chunked"]) + "\r\n"),
        ...Array.from({ length: 20 }, () => s(`10000\r\n${"x".repeat(0x10000)}\r\n`)),
      ],
    ],
    ["malformed chunk size", [s(head(w, "CreateUserPool", body, ["Transfer-Encoding: chunked"]) + "\r\nzz\r\n{}\r\n0\r\n\r\n")]],
    ["headers over 16 KiB", [ok([`X-Big: ${"a".repeat(20_000)}`])]],
    ["unknown method", [s("FOO /?Action=ListUserPools&Version=2025-10-30 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")]],
    [
      "absolute-form target",
      [
        s(
          `POST http://evil.example/?Action=ListUserPools&Version=2025-10-30 HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}`,
        ),
      ],
    ],
    ["HTTP/1.0 without Host", [s("POST /?Action=ListUserPools&Version=2025-10-30 HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}")]],
    [
      "ten pipelined requests",
      [Buffer.concat([...Array.from({ length: 9 }, () => Buffer.from(ok().toString().replace("Connection: close\r\n", ""))), ok()])],
    ],
    ["request cut off mid-headers", [s("POST /?Action=ListUserPools&Version=2025-10-30 HTTP/1.1\r\nHost: x\r\nX-Da")]],
    ["request cut off mid-body", [s(head(w, "CreateUserPool", body, ["Content-Length: 1000"]) + '\r\n{"Name":')]],
  ];
}

/** Writes the parts, then reads until the server closes or `waitMs` passes; then closes. */
export function sendRaw(host: string, name: string, parts: Buffer[], waitMs = 1000): Promise<RawOutcome> {
  const [hostname, port] = host.split(":");
  return new Promise((resolve) => {
    const sock = connect(Number(port), hostname!);
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      const text = Buffer.concat(chunks).toString("latin1");
      resolve({ name, statuses: [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1])), text });
    };
    const timer = setTimeout(done, waitMs);
    sock.on("data", (d) => chunks.push(d));
    sock.on("close", done);
    sock.on("error", () => {});
    sock.on("connect", async () => {
      for (const p of parts) {
        if (sock.destroyed) break;
        sock.write(p);
        await new Promise((r) => setImmediate(r));
      }
    });
  });
}
