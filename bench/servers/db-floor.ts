// Scenario B, the database floor: an unsigned route doing GetUserPool's indexed single-row SELECT with
// postgres.js and returning it. The service can at best approach this.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import postgres from "postgres";

const sql = postgres(process.env.DATABASE_URL!, { max: 10 });
const accountId = process.env.BENCH_ACCOUNT_ID!;
const uid = process.env.BENCH_POOL_UID!;
const app = new Hono();
app.post("/", async (c) => {
  const [row] = await sql`select * from user_pools where account_id = ${accountId} and uid = ${uid}`;
  return c.json({
    ResponseMetadata: { RequestId: "x", Action: "GetUserPool", Version: "2025-10-30", Service: "id", Region: "cn-beijing" },
    Result: row,
  });
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: "127.0.0.1" }, (info) => console.log(`listening ${info.port}`));
