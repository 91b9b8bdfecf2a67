// Graceful drain of the HTTP server on SIGTERM: every request that reached this process before it
// started draining gets an answer (its own, or ServiceUnavailable) instead of a reset connection,
// however busy the event loop is; then the listener and the sockets close.
//
// Two things reset such requests when a server simply calls server.close():
// - Connections still in the kernel's accept queue. Node accepts one connection per event-loop turn,
//   and a turn lasts long on a loaded machine (embedded PGlite runs on the loop): 19 connections were
//   seen queued for 2 s. Closing the listener resets them all. So before closing it, the server
//   connects to itself and waits until it accepts that probe: the queue is FIFO, so everything
//   queued before the probe has been accepted by then.
// - Keep-alive sockets whose next request sits unread in the socket buffer: server.close() destroys
//   them as idle. Two more loop turns after the probe let the poll phase read that data first.
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";

export interface Drainer {
  /** True from drain() on: the app answers ServiceUnavailable and /readyz says draining. */
  readonly draining: boolean;
  /** Requests being answered right now. */
  readonly inFlight: number;
  /** What the requests in flight are (their Action, or path) and how long each has run: for the hard stop's log line. */
  inFlightRequests(): { action: string; runningMs: number }[];
  /** Starts draining; resolves when the listener is closed and every connection has ended. */
  drain(): Promise<void>;
}

export function drainable(server: Server): Drainer {
  let draining = false;
  // The raw URL is kept, not parsed: every request pays for this Map, and only the hard stop's log
  // line reads the Action out of it.
  const inFlight = new Map<ServerResponse, { url: string; since: number }>();
  // Keep-alive: server.close() waits for every connection to end, and a client that keeps sending on
  // its open socket would hold the process until the hard stop. So once draining, every response, in
  // flight or new, closes its connection after it is written.
  const closeAfter = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader("Connection", "close");
  };
  // Runs in the same tick as node-server's listener, before any response head is written.
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (draining) return closeAfter(res);
    inFlight.set(res, { url: req.url ?? "", since: performance.now() });
    res.once("close", () => inFlight.delete(res));
  });
  return {
    get draining() {
      return draining;
    },
    get inFlight() {
      return inFlight.size;
    },
    inFlightRequests: () =>
      [...inFlight.values()].map(({ url, since }) => ({
        action: /[?&]Action=([A-Za-z0-9]{1,64})/.exec(url)?.[1] ?? url.split("?")[0]!.slice(0, 64),
        runningMs: Math.round(performance.now() - since),
      })),
    async drain() {
      draining = true;
      inFlight.forEach((_, res) => closeAfter(res));
      await acceptQueueBarrier(server);
      await loopTurn();
      await loopTurn();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One full event-loop turn: the next check phase after a poll phase has read what was readable. */
const loopTurn = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

/**
 * Resolves once the server has accepted a connection it opened to itself after this call, so every
 * connection queued before it has been accepted too. Resolves at once when the server does not
 * listen on TCP or cannot reach itself (nothing better to wait for; the hard stop bounds the rest).
 */
export function acceptQueueBarrier(server: Server): Promise<void> {
  const address = server.address();
  if (!address || typeof address === "string") return Promise.resolve();
  const host = address.address === "0.0.0.0" ? "127.0.0.1" : address.address === "::" ? "::1" : address.address;
  return new Promise((resolve) => {
    // The probe's own address is known only once it has connected, possibly after it was accepted.
    const acceptedEarly = new Set<string>();
    let probeName: string | undefined;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      server.off("connection", onConnection);
      probe.destroy();
      resolve();
    };
    const onConnection = (socket: Socket) => {
      const name = `${socket.remoteAddress}:${socket.remotePort}`;
      if (name === probeName) finish();
      else if (probeName === undefined) acceptedEarly.add(name);
    };
    server.on("connection", onConnection);
    const probe = connect({ host, port: address.port });
    probe.once("connect", () => {
      probeName = `${probe.localAddress}:${probe.localPort}`;
      if (acceptedEarly.has(probeName)) finish();
      acceptedEarly.clear();
    });
    probe.once("error", finish);
    probe.once("close", finish);
  });
}
