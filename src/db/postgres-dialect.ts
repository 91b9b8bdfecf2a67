// A Kysely dialect over postgres.js that sends single queries straight to the pool, pipelined and as
// prepared statements, and reserves a connection only for a transaction. kysely-postgres-js reserves
// a connection for every query and never prepares: bench/REPORT.md measured it at a third of the
// pool's throughput (7.5k against 22k queries/s at 32 concurrent), the difference between scenario C
// and its database floor.
import {
  CompiledQuery, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler,
  type DatabaseConnection, type Dialect, type Driver, type QueryResult, type TransactionSettings,
} from "kysely";
import type { ReservedSql, Sql } from "postgres";

class PostgresConnection implements DatabaseConnection {
  /** Set between BEGIN and COMMIT/ROLLBACK: every statement of the transaction runs on it. */
  reserved: ReservedSql | undefined;

  constructor(private readonly sql: Sql) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const target = this.reserved ?? this.sql;
    const result = await target.unsafe(query.sql, query.parameters as never[], { prepare: true });
    const affected = ["INSERT", "UPDATE", "DELETE", "MERGE"].includes(result.command) ? BigInt(result.count) : undefined;
    return { rows: [...result] as R[], ...(affected !== undefined && { numAffectedRows: affected }) };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streaming is not used by idplane");
  }
}

class PostgresDriver implements Driver {
  constructor(private readonly sql: Sql) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new PostgresConnection(this.sql);
  }

  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const c = conn as PostgresConnection;
    c.reserved = await this.sql.reserve();
    const begin = settings.isolationLevel ? `start transaction isolation level ${settings.isolationLevel}` : "begin";
    await c.executeQuery(CompiledQuery.raw(begin));
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await this.finish(conn as PostgresConnection, "commit");
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await this.finish(conn as PostgresConnection, "rollback");
  }

  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    const c = conn as PostgresConnection;
    c.reserved?.release();
    c.reserved = undefined;
  }

  async destroy(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }

  private async finish(c: PostgresConnection, statement: "commit" | "rollback"): Promise<void> {
    try {
      await c.executeQuery(CompiledQuery.raw(statement));
    } finally {
      c.reserved?.release();
      c.reserved = undefined;
    }
  }
}

export class PostgresDialect implements Dialect {
  constructor(private readonly sql: Sql) {}
  createAdapter = () => new PostgresAdapter();
  createDriver = () => new PostgresDriver(this.sql);
  createQueryCompiler = () => new PostgresQueryCompiler();
  createIntrospector = (db: Parameters<Dialect["createIntrospector"]>[0]) => new PostgresIntrospector(db);
}
