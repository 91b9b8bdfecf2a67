// `migrate`: applies pending migrations (the server also does this at start-up).
import { loadConfig } from "../platform/config.js";
import { connectDatabase } from "../platform/db/connect.js";
import { migrate } from "../platform/db/migrator.js";

export async function migrateCommand(): Promise<number> {
  const config = loadConfig();
  const database = await connectDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    embeddedEngine: config.embeddedEngine,
    attach: true,
  });
  try {
    const applied = await migrate(database.db);
    process.stdout.write(applied.length ? `applied: ${applied.join(", ")}\n` : "schema is current\n");
    return 0;
  } finally {
    await database.close();
  }
}
