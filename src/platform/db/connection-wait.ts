// A bound on how long a statement (or a transaction's BEGIN) waits for a database connection while
// the database says nothing. postgres.js keeps a statement queued until some connection takes it,
// and with a multi-host URL during a failover no connection attempt ever fails: the old primary
// refuses, the standby is dropped by target_session_attrs, and around it goes until a promotion,
// however long that takes (test/reliability/failover.test.ts saw requests wait for the promotion).
//
// A busy pool is not a dead one: statements queue behind each other under load and must not fail
// for it. So the bound applies only while the pool has heard nothing from the database (no
// statement answered) for the whole wait; a statement still without a connection then fails as a
// connection error (ServiceUnavailable, and the circuit breaker opens). It is not withdrawn
// (postgres.js 3.4.9 cannot cancel a connection's first statement without stranding the
// connection), so it may still run once a connection comes: like a statement in flight when the
// database died, a 503 does not say that a write did not happen.
import type { ReservedSql, Sql } from "postgres";

const noConnection = (ms: number) =>
  Object.assign(new Error(`no word from the database for ${ms} ms while waiting for a connection`), { code: "CONNECT_TIMEOUT" });

export class ConnectionWait {
  private lastHeard = performance.now();

  /** @param askAgainMs how long a reserve may stay pending before it is asked for again (see reserve). */
  constructor(
    readonly ms: number,
    readonly askAgainMs = 2000,
  ) {}

  /** The database answered something (a result, or a statement error): it is there. */
  heard(): void {
    this.lastHeard = performance.now();
  }

  /** Calls `fail` once the pool has heard nothing for ms and `waiting()` still holds; returns a canceller. */
  private watch(waiting: () => boolean, fail: () => void): () => void {
    let timer: NodeJS.Timeout;
    const check = () => {
      if (!waiting()) return;
      const silent = performance.now() - this.lastHeard;
      if (silent >= this.ms) fail();
      else timer = setTimeout(check, this.ms - silent);
    };
    timer = setTimeout(check, this.ms);
    return () => clearTimeout(timer);
  }

  /** A pool statement; from the moment a connection takes it (postgres.js sets its state) it ends with that connection. */
  statement<T>(query: Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      const stop = this.watch(
        () => !(query as unknown as { state: unknown }).state,
        () => reject(noConnection(this.ms)),
      );
      query.then(resolve, reject).finally(stop);
    });
  }

  /**
   * A connection reserved for a transaction; one that comes after the caller gave up goes back to the
   * pool. postgres.js 3.4.9 strands a queued reserve forever when the connection it was waiting for
   * closes (server-side termination, max_lifetime): its reconnect drops the reserve without settling
   * it (porsager/postgres#1195, open upstream). While the rest of the pool keeps answering, the
   * silence bound above never fires, so the request would hang. A reserve still pending after
   * `askAgainMs` (2 s; a re-ask costs no round trip) is therefore asked for again; the first
   * connection to come wins and any later one goes straight back to the pool.
   */
  reserve(sql: Sql): Promise<ReservedSql> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = () => {
        settled = true;
        stop();
        clearInterval(again);
      };
      const ask = () => {
        sql.reserve().then(
          (reserved) => {
            if (settled) return reserved.release();
            settle();
            resolve(reserved);
          },
          (err: unknown) => {
            if (settled) return;
            settle();
            reject(err);
          },
        );
      };
      const stop = this.watch(
        () => !settled,
        () => {
          settle();
          reject(noConnection(this.ms));
        },
      );
      const again = setInterval(ask, this.askAgainMs);
      ask();
    });
  }
}
