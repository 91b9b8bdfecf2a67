#!/usr/bin/env node
// The idplane command line: access keys, migrations, and operator tasks. Each command lives in
// src/cli/<name>.ts and is listed in the table below; `npm run cli -- help` prints it.
import { ConfigError } from "../platform/config.js";
import { UsageError } from "./args.js";
import { commands } from "./commands.js";
import { EmbeddedDatabaseBusy } from "../platform/db/embedded-lock.js";

async function run(argv: string[]): Promise<number> {
  const [group, sub, ...rest] = argv;
  const name = commands.has(`${group} ${sub}`) ? `${group} ${sub}` : (group ?? "help");
  const args = commands.has(`${group} ${sub}`) ? rest : argv.slice(1);
  const command = commands.get(name);
  if (!command || name === "help") {
    process.stdout.write("usage: idplane <command> [options]\n\n");
    for (const [n, c] of commands) process.stdout.write(`  ${(n + " " + c.usage).padEnd(52)} ${c.summary}\n`);
    return name === "help" ? 0 : 2;
  }
  return command.run(args);
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    const message =
      err instanceof ConfigError || err instanceof UsageError || err instanceof EmbeddedDatabaseBusy
        ? err.message
        : `failed: ${err instanceof Error ? err.message : String(err)}`;
    process.stderr.write(`idplane: ${message}\n`);
    process.exit(err instanceof UsageError || err instanceof ConfigError ? 2 : 1);
  },
);
