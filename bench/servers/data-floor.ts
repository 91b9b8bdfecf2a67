// Scenario D, the data floor: an unsigned route that reads what the signed GetUserPool reads (the whole
// pool row, its custom attributes and its active domain) with the very statement src/user-pools
// uses, executed through postgres.js as a prepared statement, and answers the row as JSON in the
// envelope. No signature, no validation, no view: what is left between this and GetUserPool is what
// the contract adds, so this is the reference of issue 27's target (C >= 0.8 of it).
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type CompiledQuery } from "kysely";
import postgres from "postgres";
import type { Database } from "../../src/platform/db/schema.js";
import { findWholeUserPool } from "../../src/user-pools/queries.js";

const accountId = process.env.BENCH_ACCOUNT_ID!;
const uid = process.env.BENCH_POOL_UID!;

// Compiles GetUserPool's statement once by running the service's own query builder against a driver
// that executes nothing; the log hands over the SQL text and its parameters.
async function wholePoolStatement(): Promise<CompiledQuery> {
  let compiled: CompiledQuery | undefined;
  const capture = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event) => void (compiled = event.query),
  });
  await findWholeUserPool(capture, accountId, uid);
  if (!compiled) throw new Error("GetUserPool's statement was not captured");
  return compiled;
}

const statement = await wholePoolStatement();
const sql = postgres(process.env.DATABASE_URL!, { max: 10 });
const app = new Hono();
app.post("/", async (c) => {
  const [row] = await sql.unsafe(statement.sql, statement.parameters as never[], { prepare: true });
  return c.json({
    ResponseMetadata: { RequestId: "x", Action: "GetUserPool", Version: "2025-10-30", Service: "id", Region: "cn-beijing" },
    Result: row,
  });
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: "127.0.0.1" }, (info) => console.log(`listening ${info.port}`));
