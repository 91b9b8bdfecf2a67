// Run as a child (by test/platform/db/embedded/postgres.test.ts, as another OS user): opens the embedded database
// in argv[2] as the service does, writes a row, reads it back, prints what it saw as JSON, closes.
import { sql } from "kysely";
import { connectDatabase } from "../../../src/platform/db/connect.js";

const handle = await connectDatabase({ dataDir: process.argv[2]!, embeddedEngine: "postgres", maxConnections: 1 });
try {
  await sql`create table if not exists seen (v text)`.execute(handle.db);
  await sql`insert into seen values ('as a normal user')`.execute(handle.db);
  const rows = (await sql<{ v: string }>`select v from seen`.execute(handle.db)).rows;
  process.stdout.write(JSON.stringify({ kind: handle.kind, describe: handle.describe, rows }) + "\n");
} finally {
  await handle.close();
}
