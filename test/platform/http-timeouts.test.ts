// Slow senders: the real entry point (src/main.ts) closes a connection whose headers trickle in (one
// line every 2 s, which stayed open over 75 s before) within ID_HEADERS_TIMEOUT_SECONDS plus the
// one-second sweep, and one whose body trickles within ID_REQUEST_TIMEOUT_SECONDS plus the sweep
// (issue 22, item 7; docs/operations.md "Slow clients"). Raw sockets, so nothing else times out first.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { childEnv, ownDatabase, startChild, stopChild, type Child } from "../support/infra/child-server.js";
import { authorizationHeader, sha256hex, xDateOf } from "../support/signer.js";

const HEADERS_S = 10; // the default, not set below: the bound docs/operations.md states
const REQUEST_S = 12;
let child: Child | undefined;
let key: { accessKeyId: string; secretAccessKey: string };
let db: Awaited<ReturnType<typeof ownDatabase>>;

beforeAll(async () => {
  db = await ownDatabase(inject("databaseUrl")!);
  const made = childEnv(db.url, { ID_REQUEST_TIMEOUT_SECONDS: String(REQUEST_S) });
  key = made.key;
  child = await startChild(made.env, 120_000);
}, 150_000);
afterAll(async () => {
  await stopChild(child);
  await db?.drop();
});

/** Opens a socket, writes `first`, then one `drip` every 2 s; resolves with the seconds until the server closed it and what it answered. */
function trickle(first: string, drip: (i: number) => string, giveUpS: number): Promise<{ closedAfterS: number; answer: string }> {
  const [host, port] = child!.host.split(":");
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(Number(port), host!);
    let answer = "";
    let i = 0;
    const timer = setInterval(() => socket.write(drip(i++)), 2000);
    const giveUp = setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      reject(new Error(`still open after ${giveUpS} s`));
    }, giveUpS * 1000);
    socket.on("data", (d) => (answer += d));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ closedAfterS: (performance.now() - started) / 1000, answer });
    });
    socket.write(first);
  });
}

/** The head of a validly signed request whose 1,000-byte body is yet to come: the server must read it to check its hash. */
function signedHead(): string {
  const body = `{${" ".repeat(998)}}`;
  const headers = {
    Host: child!.host,
    "Content-Type": "application/json",
    "X-Date": xDateOf(new Date()),
    "X-Content-Sha256": sha256hex(body),
  };
  const query: [string, string][] = [
    ["Action", "ListUserPools"],
    ["Version", "2025-10-30"],
  ];
  const authorization = authorizationHeader({
    method: "POST",
    path: "/",
    query,
    headers,
    body,
    accessKeyId: key.accessKeyId,
    secretKey: key.secretAccessKey,
    region: "cn-beijing",
    service: "id",
    xDate: headers["X-Date"],
  });
  const lines = Object.entries({ ...headers, Authorization: authorization, "Content-Length": "1000" }).map(([k, v]) => `${k}: ${v}\r\n`);
  return `POST /?Action=ListUserPools&Version=2025-10-30 HTTP/1.1\r\n${lines.join("")}\r\n{`;
}

describe("slow clients", () => {
  it("closes a connection sending one header line every 2 s, and one dripping its body, within the limits", {
    timeout: 60_000,
  }, async () => {
    const [headers, body] = await Promise.all([
      trickle("POST /?Action=ListUserPools&Version=2025-10-30 HTTP/1.1\r\nHost: x\r\n", (i) => `X-Slow-${i}: ${i}\r\n`, 40),
      trickle(signedHead(), () => " ", 40),
    ]);
    expect(headers.closedAfterS).toBeLessThan(HEADERS_S + 1 + 2);
    expect(headers.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(body.closedAfterS).toBeGreaterThan(HEADERS_S);
    expect(body.closedAfterS).toBeLessThan(REQUEST_S + 1 + 2);
    // The server still serves.
    const res = await fetch(`http://${child!.host}/readyz`);
    expect(res.status).toBe(200);
  });
});
