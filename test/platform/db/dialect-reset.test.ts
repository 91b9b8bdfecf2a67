// A transaction whose connection is reset (ECONNRESET: a crashed or killed server, a middlebox
// dropping the flow) must fail at once, and the pool must keep the connection slot. Node emits the
// socket's 'error' straight away but its 'close' only later in the event loop; a ROLLBACK sent in
// between is never settled by postgres.js 3.4.9 and its connection is lost to the pool. Found by
// test/reliability/failover.test.ts on a loaded machine (requests hung until the client's 15 s
// timeout); src/platform/db/postgres-dialect.ts marks the connection lost on the error itself.
// A loopback proxy in front of the suite's database resets the client side on demand.
import { createServer, connect, Socket, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import postgres from "postgres";
import { afterEach, describe, expect, inject, it } from "vitest";
import { connectDatabase, type DatabaseHandle } from "../../../src/platform/db/connect.js";
import { poolerFor } from "../../support/harness.js";

const databaseUrl = inject("databaseUrl");
const HANG = "still pending";
const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<string>((r) => setTimeout(() => r(HANG), ms))]);
/** How a promise ended: { ok: true } or { ok: false, code } (the error's code). */
const settled = (p: Promise<unknown>): Promise<{ ok: boolean; code?: string }> =>
  p.then(
    () => ({ ok: true }),
    (e: unknown) => ({ ok: false, code: (e as { code?: string }).code }),
  );

/** A TCP proxy to the suite's database; reset() sends RST to every client it has accepted. */
async function resettingProxy(target: string): Promise<{ url: string; reset(): void; close(): Promise<void> }> {
  const to = new URL(target);
  const clients = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(to.port || 5432), to.hostname);
    clients.add(client);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      clients.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = new URL(target);
  url.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: url.toString(),
    reset() {
      for (const c of clients) c.resetAndDestroy();
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/**
 * `select 1` until it answers 1 (or 30 s): the circuit breaker refuses for a moment after a
 * connection error, then lets a probe through. With one connection, a slot lost to the reset would
 * make every probe fail, for good.
 */
async function answersAgain(handle: DatabaseHandle): Promise<unknown> {
  const deadline = performance.now() + 30_000;
  let answer: unknown;
  while (answer !== 1 && performance.now() < deadline) {
    answer = await sql<{ n: number }>`select 1 as n`.execute(handle.db).then(
      (r) => r.rows[0]!.n,
      (e: { code?: string }) => e.code,
    );
    if (answer !== 1) await new Promise((r) => setTimeout(r, 100));
  }
  return answer;
}

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
  cleanup = [];
});

describe.skipIf(!databaseUrl)("a transaction whose connection is reset", () => {
  it("leaves postgres.js alone with a ROLLBACK that never settles (the upstream bug this guards against)", {
    timeout: 60_000,
  }, async () => {
    const proxy = await resettingProxy(databaseUrl!);
    cleanup.push(() => proxy.close());
    const pool = postgres(proxy.url, { max: 1, onnotice: () => {}, prepare: poolerFor(databaseUrl!) === "none" });
    cleanup.push(() => pool.end({ timeout: 1 }));
    const reserved = await pool.reserve();
    await reserved`begin`;
    const inFlight = settled(reserved`select pg_sleep(5)`);
    setTimeout(() => proxy.reset(), 200);
    expect((await inFlight).code).toBe("ECONNRESET");
    // What Kysely does next, in the gap before the socket's close: a working ROLLBACK answers (or
    // fails) in milliseconds; 5 s of nothing is the bug. If upstream fixes it, this fails and the
    // comment in postgres-dialect.ts can go.
    expect(await within(settled(reserved`rollback`), 5_000)).toBe(HANG);
  });

  it("fails at once through the dialect, and the pool's only connection serves the next request", { timeout: 90_000 }, async () => {
    const proxy = await resettingProxy(databaseUrl!);
    cleanup.push(() => proxy.close());
    const handle: DatabaseHandle = await connectDatabase({ databaseUrl: proxy.url, maxConnections: 1, pooler: poolerFor(databaseUrl!) });
    cleanup.push(() => handle.close());
    const tx = handle.db.transaction().execute(async (trx) => {
      const inFlight = sql`select pg_sleep(5)`.execute(trx);
      setTimeout(() => proxy.reset(), 200);
      await inFlight;
    });
    // 30 s is a hang detector, not a speed target: the failure comes in milliseconds.
    expect(await within(settled(tx), 30_000)).toEqual({ ok: false, code: "ECONNRESET" });
    expect(await answersAgain(handle)).toBe(1);
  });

  it("fails a statement an idle transaction sends between the reset and the socket's close", { timeout: 90_000 }, async () => {
    const proxy = await resettingProxy(databaseUrl!);
    cleanup.push(() => proxy.close());
    const handle: DatabaseHandle = await connectDatabase({ databaseUrl: proxy.url, maxConnections: 1, pooler: poolerFor(databaseUrl!) });
    cleanup.push(() => handle.close());
    // The one way to act inside the gap on purpose: run a callback as the socket emits the error,
    // before postgres.js hears of it (nothing else is patched; the statement goes to the real server).
    let onReset: (() => void) | undefined;
    const emit = Socket.prototype.emit;
    Socket.prototype.emit = function (this: Socket, event: string | symbol, ...args: unknown[]) {
      if (event === "error" && (args[0] as { code?: string })?.code === "ECONNRESET" && onReset) {
        const act = onReset;
        onReset = undefined;
        act();
      }
      return emit.apply(this, [event, ...args] as Parameters<typeof emit>);
    } as typeof emit;
    cleanup.push(async () => {
      Socket.prototype.emit = emit;
    });
    let sentInGap: Promise<unknown> | undefined;
    const tx = handle.db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      await new Promise<void>((resolve) => {
        onReset = () => {
          sentInGap = sql`select 2`.execute(trx);
          resolve();
        };
        proxy.reset();
      });
      await sentInGap;
    });
    expect(await within(settled(tx), 30_000)).toEqual({ ok: false, code: "CONNECTION_CLOSED" });
    expect(await answersAgain(handle)).toBe(1);
  });
});
