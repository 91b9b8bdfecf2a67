// The CLI's command table. Add a command by adding a line here and a module beside this file.
import { keysCreate, keysDisable, keysEnable, keysList } from "./keys.js";
import { migrateCommand } from "./migrate.js";

export interface Command {
  usage: string;
  summary: string;
  run(args: string[]): Promise<number>;
}

export const commands = new Map<string, Command>([
  ["keys create", { usage: "--account <id> [--role admin|readonly]", summary: "create an access key; prints AK/SK once", run: keysCreate }],
  ["keys list", { usage: "[--account <id>]", summary: "list access keys (never secrets)", run: keysList }],
  ["keys disable", { usage: "<AccessKeyId>", summary: "disable a key (takes effect at once)", run: keysDisable }],
  ["keys enable", { usage: "<AccessKeyId>", summary: "enable a disabled key", run: keysEnable }],
  ["migrate", { usage: "", summary: "apply pending SQL migrations", run: migrateCommand }],
  ["help", { usage: "", summary: "this list", run: async () => 0 }],
]);
