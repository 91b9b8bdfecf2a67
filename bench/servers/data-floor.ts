// The data floor of issue 27: an unsigned route that reads exactly what the signed action reads, with
// the very statements the service sends, and answers the rows as JSON in the envelope. No signature,
// no validation, no view: what is left between this and the signed action is what the contract adds,
// so this is the reference of the target (the signed action at >= 0.8 of it).
//
// The statements are captured once at start-up by running the action's own handler (from the
// registry, with BENCH_PARAMS as its parameters) against the database through the project's dialect,
// noting for each statement how many earlier ones had answered when it was sent. The route replays
// them in those waves: statements the service sends together (Promise.all) go together here too, and
// one the service sends only after another answered waits here too. So the floor makes the same round
// trips with the same SQL and parameters, as prepared statements through postgres.js.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { Kysely, type CompiledQuery, type DatabaseConnection, type Dialect, type Driver } from "kysely";
import postgres from "postgres";
import type { AppDeps } from "../../src/deps.js";
import { actions } from "../../src/control-plane/registry.js";
import { parseParams, validateParams } from "../../src/control-plane/gateway/params.js";
import { loadConfig } from "../../src/platform/config.js";
import { PostgresDialect } from "../../src/platform/db/postgres-dialect.js";
import type { Database } from "../../src/platform/db/schema.js";

const actionName = process.env.BENCH_ACTION ?? "GetUserPool";
const accountId = process.env.BENCH_ACCOUNT_ID!;
const params = JSON.parse(process.env.BENCH_PARAMS!) as Record<string, unknown>;
const sql = postgres(process.env.DATABASE_URL!, { max: 10 });

interface Captured {
  query: CompiledQuery;
  /** how many earlier statements had answered when this one was sent */
  wave: number;
}

/** A driver that hands every statement on to the real one and notes when it was sent. */
function recording(driver: Driver, log: Captured[]): Driver {
  let answered = 0;
  return {
    init: () => driver.init(),
    destroy: () => driver.destroy(),
    beginTransaction: (c, s) => driver.beginTransaction(c, s),
    commitTransaction: (c) => driver.commitTransaction(c),
    rollbackTransaction: (c) => driver.rollbackTransaction(c),
    releaseConnection: (c) => driver.releaseConnection(c),
    async acquireConnection(): Promise<DatabaseConnection> {
      const conn = await driver.acquireConnection();
      return {
        streamQuery: (q, n) => conn.streamQuery(q, n),
        async executeQuery(query) {
          log.push({ query, wave: answered });
          try {
            return await conn.executeQuery(query);
          } finally {
            answered++;
          }
        },
      };
    },
  };
}

async function captureStatements(): Promise<CompiledQuery[][]> {
  const action = actions.get(actionName);
  if (!action) throw new Error(`no action ${actionName}`);
  const log: Captured[] = [];
  const dialect = new PostgresDialect(sql, { prepare: true, connectionWaitMs: 30_000 });
  const db = new Kysely<Database>({
    dialect: { ...dialect, createDriver: () => recording(dialect.createDriver(), log) } as Dialect,
  });
  const config = loadConfig();
  const deps = { db, config } as unknown as AppDeps;
  await action.handler(parseParams(action.input, params), {
    deps,
    principal: { accessKeyId: "floor", accountId, role: "admin" } as never,
    accountId,
    requestId: "floor",
    validate: validateParams,
    log: undefined as never,
  });
  // Statements sent while the same number of answers had come back went out together.
  const waves: CompiledQuery[][] = [];
  log.forEach((c, i) => (i > 0 && c.wave === log[i - 1]!.wave ? waves.at(-1)!.push(c.query) : waves.push([c.query])));
  return waves;
}

const waves = await captureStatements();
process.stderr.write(
  `data floor for ${actionName}: ${waves.map((w) => w.length).join(" then ")} statement(s) a request\n${waves
    .flat()
    .map((q) => `  ${q.sql.replace(/\s+/g, " ").slice(0, 160)}`)
    .join("\n")}\n`,
);

const app = new Hono();
app.post("/", async (c) => {
  const rows: unknown[] = [];
  for (const wave of waves) {
    const answers = await Promise.all(wave.map((q) => sql.unsafe(q.sql, q.parameters as never[], { prepare: true })));
    for (const a of answers) rows.push(a.length === 1 ? a[0] : [...a]);
  }
  return c.json({
    ResponseMetadata: { RequestId: "x", Action: actionName, Version: "2025-10-30", Service: "id", Region: "cn-beijing" },
    Result: rows.length === 1 ? rows[0] : rows,
  });
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: "127.0.0.1" }, (info) => console.log(`listening ${info.port}`));
