// A Kysely dialect over postgres.js that sends single queries straight to the pool, pipelined and as
// prepared statements, and reserves a connection only for a transaction. kysely-postgres-js reserves
// a connection for every query and never prepares: bench/REPORT.md measured it at a third of the
// pool's throughput (7.5k against 22k queries/s at 32 concurrent), the difference between scenario C
// and its database floor. Behind PgBouncer in transaction mode statements go unnamed ({ prepare:
// false }, see connect.ts): pipelining and reserved transactions work through it unchanged.
import {
  CompiledQuery, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler,
  type DatabaseConnection, type Dialect, type Driver, type QueryResult, type TransactionSettings,
} from "kysely";
import type { ReservedSql, Sql } from "postgres";
import { CircuitBreaker } from "./circuit-breaker.js";

// postgres.js 3.4.9 must never be handed a statement for a reserved connection whose socket has
// closed (the database went away mid-transaction): it schedules a write on the null socket, which
// throws from a timer, outside any promise, and takes the process down (porsager/postgres#1154,
// #1208, unfixed upstream). Nor may such a connection be released: release() would put it back in
// the open queue and the next query would hit the same crash. So each transaction learns of its
// connection's close through the connection's onclose hook and then stops touching it.
const connectionClosed = () => Object.assign(new Error("the database connection closed during the transaction"), { code: "CONNECTION_CLOSED" });

// A statement waits for a connection at most connectionWaitMs. postgres.js keeps a statement queued
// until some connection takes it, and with a multi-host URL during a failover no attempt ever fails:
// the old primary refuses, the standby is dropped by target_session_attrs, and around it goes until a
// promotion, however long that takes (the failover test saw requests wait for the promotion). A
// statement still without a connection then fails as a connection error (ServiceUnavailable). It is
// not withdrawn (postgres.js 3.4.9 cannot cancel a connection's first statement without stranding the
// connection), so it may still run once a connection comes: like a statement in flight when the
// database died, a 503 does not say a write did not happen.
const noConnection = (ms: number) => Object.assign(new Error(`no database connection within ${ms} ms`), { code: "CONNECT_TIMEOUT" });

function untilConnected<T>(query: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    // state is set when a connection takes the statement: from then on it ends with that connection.
    const timer = setTimeout(() => (query as unknown as { state: unknown }).state || reject(noConnection(ms)), ms);
    query.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

function reserveWithin(sql: Sql, ms: number): Promise<ReservedSql> {
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(noConnection(ms));
    }, ms);
    sql.reserve().then(
      (reserved) => {
        clearTimeout(timer);
        // Nobody waits for it any more: back to the pool.
        if (late) reserved.release();
        else resolve(reserved);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

class PostgresConnection implements DatabaseConnection {
  /** Set between BEGIN and COMMIT/ROLLBACK: every statement of the transaction runs on it. */
  reserved: ReservedSql | undefined;
  /** The reserved connection's socket closed: the pool owns it again (it reconnects it itself). */
  lost = false;

  constructor(private readonly sql: Sql, private readonly breaker: CircuitBreaker, private readonly options: PostgresDialectOptions) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.lost) throw connectionClosed();
    const reserved = this.reserved;
    const run = () => {
      const pending = (reserved ?? this.sql).unsafe(query.sql, query.parameters as never[], { prepare: this.options.prepare });
      // A transaction's statements go to the connection it holds; only the pool's may wait for one.
      return reserved ? pending : untilConnected(pending, this.options.connectionWaitMs);
    };
    // Inside a transaction the breaker only learns of errors: the transaction is already under way.
    const result = reserved ? await run().catch((err: unknown) => { this.breaker.observe(err); throw err; }) : await this.breaker.run(run);
    const affected = ["INSERT", "UPDATE", "DELETE", "MERGE"].includes(result.command) ? BigInt(result.count) : undefined;
    return { rows: [...result] as R[], ...(affected !== undefined && { numAffectedRows: affected }) };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streaming is not used by idplane");
  }
}

class PostgresDriver implements Driver {
  private readonly breaker = new CircuitBreaker();

  constructor(private readonly sql: Sql, private readonly options: PostgresDialectOptions) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new PostgresConnection(this.sql, this.breaker, this.options);
  }

  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const c = conn as PostgresConnection;
    c.reserved = await this.breaker.run(() => reserveWithin(this.sql, this.options.connectionWaitMs));
    c.lost = false;
    const begin = settings.isolationLevel ? `start transaction isolation level ${settings.isolationLevel}` : "begin";
    // onexecute hands over postgres.js's connection object, whose onclose the pool calls when the
    // socket closes; returning true keeps the driver's own flow unchanged.
    const onexecute = (connection: { onclose?: () => void }) => {
      connection.onclose = () => {
        c.lost = true;
      };
      return true;
    };
    await c.reserved.unsafe(begin, [], { onexecute } as never);
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
  /** How long a statement (or a transaction's BEGIN) may wait for a connection before it fails. */
  connectionWaitMs: number;
}

export class PostgresDialect implements Dialect {
  constructor(private readonly sql: Sql, private readonly options: PostgresDialectOptions) {}
  createAdapter = () => new PostgresAdapter();
  createDriver = () => new PostgresDriver(this.sql, this.options);
  createQueryCompiler = () => new PostgresQueryCompiler();
  createIntrospector = (db: Parameters<Dialect["createIntrospector"]>[0]) => new PostgresIntrospector(db);
}
