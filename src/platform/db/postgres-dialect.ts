// A Kysely dialect over postgres.js that sends single queries straight to the pool, pipelined and as
// prepared statements, and reserves a connection only for a transaction. kysely-postgres-js reserves
// a connection for every query and never prepares: bench/REPORT.md measured it at a third of the
// pool's throughput (7.5k against 22k queries/s at 32 concurrent), the difference between scenario C
// and its database floor. Behind PgBouncer in transaction mode statements go unnamed ({ prepare:
// false }) and are not pipelined (max_pipeline 0, see connect.ts); reserved transactions work through
// it unchanged.
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import type { ReservedSql, Sql } from "postgres";
import { CircuitBreaker } from "./circuit-breaker.js";
import { ConnectionWait } from "./connection-wait.js";
import { isConnectionError } from "./errors.js";

// postgres.js 3.4.9 must never be handed a statement for a reserved connection whose socket has
// closed (the database went away mid-transaction): it schedules a write on the null socket, which
// throws from a timer, outside any promise, and takes the process down (porsager/postgres#1154,
// #1208, unfixed upstream). Nor may such a connection be released: release() would put it back in
// the open queue and the next query would hit the same crash. So each transaction learns of its
// connection's close through the connection's onclose hook and then stops touching it.
//
// The hook alone comes too late after a reset (ECONNRESET): Node emits the socket's 'error' at once,
// which fails the statement in flight, but its 'close' only from the handle's close callback, later
// in the event loop. Kysely answers the failed statement with ROLLBACK inside that gap; postgres.js
// queues it on the dying socket and, on a close after an error, never settles it: the request hung
// until the client gave up, and the connection was lost to the pool (found by the failover test
// under load: test/platform/db/dialect-reset.test.ts). So a connection error from any statement of the
// transaction marks it lost too, before the caller can send another. A statement sent in that gap
// while none was in flight (the reset came to an idle transaction) is failed by the dialect itself
// when the close is reported (untilClosed); the test shows the pool's one connection serving again.
const connectionClosed = () =>
  Object.assign(new Error("the database connection closed during the transaction"), { code: "CONNECTION_CLOSED" });

/** Notes every answer from the database (a result or a statement error) for the connection wait's bound. */
function heardFrom<T>(wait: ConnectionWait, work: Promise<T>): Promise<T> {
  return work.then(
    (result) => (wait.heard(), result),
    (err: unknown) => {
      if (!isConnectionError(err)) wait.heard();
      throw err;
    },
  );
}

/**
 * Behind PgBouncer (transaction mode) a session setting cannot bound statements: PgBouncer refuses
 * startup parameters it does not track, and a SET outlives the transaction on a server connection
 * the next client gets. So the dialect bounds them itself: a transaction starts with SET LOCAL
 * statement_timeout (in one simple query with BEGIN: no round trip of its own, and gone at COMMIT), and a
 * statement outside one is cancelled once it has run that long (a CancelRequest, which PgBouncer
 * forwards to the server connection running it). Postgres answers 57014 either way and the
 * connection serves again. Without a pooler, connect.ts sets statement_timeout as a startup
 * parameter instead and Postgres alone keeps the bound.
 */
function cancelAfter<T>(result: Promise<T>, pending: { cancel(): unknown; state?: unknown }, ms: number): Promise<T> {
  // Counted from when a connection takes the statement (postgres.js sets its state): the wait for one
  // has its own bound (connection-wait.ts), and cancelling a statement no connection has taken yet
  // can strand the connection being opened for it (postgres.js 3.4.9).
  let timer: NodeJS.Timeout;
  const check = () => (pending.state ? pending.cancel() : (timer = setTimeout(check, Math.min(ms, 100))));
  timer = setTimeout(check, ms);
  return result.finally(() => clearTimeout(timer));
}

class PostgresConnection implements DatabaseConnection {
  /** Set between BEGIN and COMMIT/ROLLBACK: every statement of the transaction runs on it. */
  reserved: ReservedSql | undefined;
  /** The reserved connection's socket closed: the pool owns it again (it reconnects it itself). */
  lost = false;
  /** Fails the transaction's statement in flight, if any (see connectionClosedByPool). */
  private abandon: ((err: Error) => void) | undefined;

  constructor(
    private readonly sql: Sql,
    private readonly breaker: CircuitBreaker,
    private readonly wait: ConnectionWait,
    private readonly prepare: boolean,
    /** Bound of a statement outside a transaction enforced here (PgBouncer), or undefined. */
    private readonly cancelAfterMs: number | undefined,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.lost) throw connectionClosed();
    const reserved = this.reserved;
    const run = () => {
      const pending = (reserved ?? this.sql).unsafe(query.sql, query.parameters as never[], { prepare: this.prepare });
      // A transaction's statements go to the connection it holds; only the pool's may wait for one.
      if (reserved) return heardFrom(this.wait, pending);
      const waited = this.wait.statement(pending);
      return heardFrom(this.wait, this.cancelAfterMs ? cancelAfter(waited, pending, this.cancelAfterMs) : waited);
    };
    // Inside a transaction the breaker only learns of errors: the transaction is already under way.
    const result = reserved
      ? await this.untilClosed(run()).catch((err: unknown) => {
          this.transactionFailed(err);
          throw err;
        })
      : await this.breaker.run(run);
    const affected = ["INSERT", "UPDATE", "DELETE", "MERGE"].includes(result.command) ? BigInt(result.count) : undefined;
    return { rows: [...result] as R[], ...(affected !== undefined && { numAffectedRows: affected }) };
  }

  /** A statement of the transaction, failed at once if the pool reports the connection closed first. */
  private untilClosed<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.abandon = reject;
      work.then(resolve, reject);
    }).finally(() => {
      this.abandon = undefined;
    });
  }

  /** The pool reports the reserved connection's socket closed. */
  connectionClosedByPool(): void {
    this.lost = true;
    this.abandon?.(connectionClosed());
  }

  /** A statement of the transaction (BEGIN included) failed; a connection error means its connection is gone. */
  transactionFailed(err: unknown): void {
    this.breaker.observe(err);
    if (isConnectionError(err)) this.lost = true;
  }

  // biome-ignore lint/correctness/useYield: the driver interface wants a generator; idplane never streams
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streaming is not used by idplane");
  }
}

class PostgresDriver implements Driver {
  private readonly breaker = new CircuitBreaker();
  private readonly wait: ConnectionWait;

  constructor(
    private readonly sql: Sql,
    private readonly options: PostgresDialectOptions,
  ) {
    this.wait = new ConnectionWait(options.connectionWaitMs);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const clientBound = this.options.statementTimeout?.enforcedBy === "dialect" ? this.options.statementTimeout.ms : undefined;
    return new PostgresConnection(this.sql, this.breaker, this.wait, this.options.prepare, clientBound);
  }

  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const c = conn as PostgresConnection;
    c.reserved = await this.breaker.run(() => this.wait.reserve(this.sql));
    c.lost = false;
    const begin = settings.isolationLevel ? `start transaction isolation level ${settings.isolationLevel}` : "begin";
    // onexecute hands over postgres.js's connection object, whose onclose the pool calls when the
    // socket closes; returning true keeps the driver's own flow unchanged.
    const onexecute = (connection: { onclose?: () => void }) => {
      connection.onclose = () => c.connectionClosedByPool();
      return true;
    };
    const bound = this.options.statementTimeout;
    // One simple query with both statements: one round trip, and nothing pipelined (see connect.ts).
    const statement = bound?.enforcedBy === "dialect" ? `${begin}; set local statement_timeout = ${Math.floor(bound.ms)}` : begin;
    await heardFrom(this.wait, c.reserved.unsafe(statement, [], { onexecute } as never)).catch((err: unknown) => {
      c.transactionFailed(err);
      throw err;
    });
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await this.finish(conn as PostgresConnection, "commit");
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await this.finish(conn as PostgresConnection, "rollback");
  }

  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    const c = conn as PostgresConnection;
    if (!c.lost) c.reserved?.release();
    c.reserved = undefined;
    c.lost = false;
  }

  async destroy(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }

  private async finish(c: PostgresConnection, statement: "commit" | "rollback"): Promise<void> {
    try {
      // A lost connection's transaction is gone with it: nothing to roll back, and commit fails.
      if (c.lost && statement === "rollback") return;
      await c.executeQuery(CompiledQuery.raw(statement));
    } finally {
      if (!c.lost) c.reserved?.release();
      c.reserved = undefined;
      c.lost = false;
    }
  }
}

export interface PostgresDialectOptions {
  /** Named prepared statements; false behind PgBouncer in transaction mode (see connect.ts). */
  prepare: boolean;
  /** How long a statement (or a transaction's BEGIN) may wait for a connection while the database says nothing (connection-wait.ts). */
  connectionWaitMs: number;
  /**
   * The statement time limit (ID_STATEMENT_TIMEOUT_MS): "server" when Postgres has it as a startup
   * parameter (connect.ts), "dialect" when the dialect must set it per transaction and cancel
   * statements outside one (behind PgBouncer, see cancelAfter).
   */
  statementTimeout?: { ms: number; enforcedBy: "server" | "dialect" } | undefined;
}

export class PostgresDialect implements Dialect {
  constructor(
    private readonly sql: Sql,
    private readonly options: PostgresDialectOptions,
  ) {}
  createAdapter = () => new PostgresAdapter();
  createDriver = () => new PostgresDriver(this.sql, this.options);
  createQueryCompiler = () => new PostgresQueryCompiler();
  createIntrospector = (db: Parameters<Dialect["createIntrospector"]>[0]) => new PostgresIntrospector(db);
}
