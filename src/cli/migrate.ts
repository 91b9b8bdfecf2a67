// `migrate`: applies pending migrations (the server also does this at start-up).
import { loadConfig } from "../platform/config.js";
import { connectDatabase } from "../platform/db/connect.js";
import { migrate } from "../platform/db/migrator.js";
import { databaseOptionsOf } from "../platform/runtime.js";

export async function migrateCommand(): Promise<number> {
  const config = loadConfig();
  // The server's connection settings (DATABASE_POOLER included), without its master key.
  const database = await connectDatabase({ ...databaseOptionsOf(config), attach: true });
  try {
    const applied = await migrate(database.db);
    process.stdout.write(applied.length ? `applied: ${applied.join(", ")}\n` : "schema is current\n");
    return 0;
  } finally {
    await database.close();
  }
}
