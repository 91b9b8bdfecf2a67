// The HTTP drain of src/platform/http-drain.ts, in process and without timing: a client in a worker thread
// puts requests on the wire while this thread is blocked (Atomics.wait), so they sit unread in the
// kernel, new connections in the accept queue and next requests on idle keep-alive sockets, exactly
// where a busy embedded server's requests sat when SIGTERM came. Every one must get an answer.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { drainable } from "../../src/platform/http-drain.js";

// Runs in the worker: round 1 opens KEEP_ALIVE sockets (and one more, left idle); then, on the
// main thread's go, it sends one more request on each kept-alive socket and FRESH on new
// connections, signals once all are written, and reports what each got back.
const CLIENT = `
const { workerData, parentPort } = require("node:worker_threads");
const http = require("node:http");
const { port, flags, keepAlive, fresh } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: keepAlive + 1 });
const call = (opts) => new Promise((resolve) => {
  let sent = false;
  const req = http.request({ host: "127.0.0.1", port, path: "/", ...opts }, (res) => {
    let body = "";
    res.on("data", (d) => (body += d));
    res.on("end", () => resolve({ sent, status: res.statusCode, body }));
    res.on("error", (e) => resolve({ sent, error: e.code }));
  });
  req.on("finish", () => { sent = true; opts.onSent && opts.onSent(); });
  req.on("error", (e) => resolve({ sent, error: e.code || e.message }));
  req.end();
});
(async () => {
  await Promise.all(Array.from({ length: keepAlive + 1 }, () => call({ agent })));
  parentPort.postMessage({ ready: agent.freeSockets["127.0.0.1:" + port + ":"]?.length ?? 0 });
  Atomics.wait(flags, 1, 0);
  let written = 0;
  const onSent = () => { if (++written === keepAlive + fresh) { Atomics.store(flags, 0, 1); Atomics.notify(flags, 0); } };
  const results = await Promise.all([
    ...Array.from({ length: keepAlive }, () => call({ agent, onSent })),
    ...Array.from({ length: fresh }, () => call({ agent: false, onSent })),
  ]);
  agent.destroy();
  parentPort.postMessage({ results });
})();
`;

/** Synchronous work on the event loop, as embedded PGlite does: every loop turn takes this long. */
function busy(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

let server: Server | undefined;
afterEach(() => server?.closeAllConnections());

describe("drainable(server).drain()", () => {
  it("answers every request already on the wire (accept queue and idle keep-alive sockets) before closing", {
    timeout: 120_000,
  }, async () => {
    const srv = createServer((_req, res) => {
      if (drainer.draining) busy(40);
      res.end(drainer.draining ? "draining" : "ok");
    });
    server = srv;
    const drainer = drainable(srv);
    await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const worker = new Worker(CLIENT, {
      eval: true,
      workerData: { port: (srv.address() as AddressInfo).port, flags, keepAlive: 10, fresh: 20 },
    });
    const messages: any[] = [];
    const next = () =>
      new Promise<any>((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
      });
    const ready = await next();
    expect(ready.ready).toBe(11);

    // Let the worker write its 30 requests while this thread (the server's loop) is blocked.
    const reported = next();
    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 1);
    expect(Atomics.wait(flags, 0, 0, 60_000)).not.toBe("timed-out");
    await drainer.drain();
    messages.push(await reported);
    await worker.terminate();

    const results: { sent: boolean; status?: number; body?: string; error?: string }[] = messages[0].results;
    expect(results).toHaveLength(30);
    expect(results.filter((r) => !r.sent)).toEqual([]);
    // None reset: each got its answer, the one a draining server gives.
    expect(results.filter((r) => r.status !== 200 || r.body !== "draining")).toEqual([]);
    expect(srv.listening).toBe(false);
  });

  it.each(["127.0.0.1", "0.0.0.0"])(
    "resolves with only idle keep-alive connections open, and answers nothing once closed (listening on %s)",
    async (host) => {
      const srv = createServer((_req, res) => res.end("ok"));
      server = srv;
      const drainer = drainable(srv);
      await new Promise<void>((resolve) => srv.listen(0, host, resolve));
      const { Agent, get } = await import("node:http");
      const agent = new Agent({ keepAlive: true });
      const port = (srv.address() as AddressInfo).port;
      await new Promise<void>((resolve, reject) =>
        get({ port, host: "127.0.0.1", agent }, (res) => res.resume().on("end", resolve)).on("error", reject),
      );
      expect(drainer.draining).toBe(false);
      await drainer.drain();
      expect(drainer.draining).toBe(true);
      const err = await new Promise<string>((resolve) =>
        get({ port, host: "127.0.0.1", agent: false }, () => resolve("answered")).on("error", (e: NodeJS.ErrnoException) =>
          resolve(e.code ?? ""),
        ),
      );
      expect(err).toBe("ECONNREFUSED");
      agent.destroy();
    },
  );

  it("names the requests in flight by their Action, for the hard stop's log line", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let arrived!: () => void;
    const arrival = new Promise<void>((r) => (arrived = r));
    const srv = createServer((_req, res) => {
      arrived();
      void gate.then(() => res.end("ok"));
    });
    server = srv;
    const drainer = drainable(srv);
    await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
    const { get } = await import("node:http");
    const port = (srv.address() as AddressInfo).port;
    const answered = new Promise<void>((resolve, reject) =>
      get({ port, host: "127.0.0.1", path: "/?Version=2025-10-30&Action=CreateUser", agent: false }, (res) =>
        res.resume().on("end", resolve),
      ).on("error", reject),
    );
    await arrival;
    expect(drainer.inFlightRequests().map((r) => r.action)).toEqual(["CreateUser"]);
    release();
    await answered;
    expect(drainer.inFlightRequests()).toEqual([]);
  });
});
