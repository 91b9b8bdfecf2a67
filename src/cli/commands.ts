// The CLI's command table. Add a command by adding a line here and a module beside this file.
import { keysCreate, keysDisable, keysEnable, keysList } from "./keys.js";
import { mailList } from "./mail.js";
import { migrateCommand } from "./migrate.js";
import { keysRotateMaster } from "./rotate-master.js";
import { keysRotateSigning } from "./signing-keys.js";

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
  [
    "keys rotate-master",
    { usage: "[--batch-size 100]", summary: "re-encrypt every stored secret under ID_MASTER_KEY", run: keysRotateMaster },
  ],
  [
    "keys rotate-signing",
    {
      usage: "--account <id> --pool <uid>",
      summary: "new signing keys for a pool; the old public keys stay published",
      run: keysRotateSigning,
    },
  ],
  [
    "mail list",
    {
      usage: "[--status queued|sent|failed] [--limit 20]",
      summary: "show the mail outbox; queued reset emails with their links",
      run: mailList,
    },
  ],
  ["migrate", { usage: "", summary: "apply pending SQL migrations", run: migrateCommand }],
  ["help", { usage: "", summary: "this list", run: async () => 0 }],
]);
