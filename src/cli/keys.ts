// `keys create|list|disable|enable`: access keys are managed here, never through the API.
import { listAccessKeys } from "../access-keys/queries.js";
import { createAccessKey, setAccessKeyEnabledAndAnnounce } from "../access-keys/service.js";
import { parseArgs, UsageError } from "./args.js";
import { withRuntime } from "./runtime.js";

export async function keysCreate(args: string[]): Promise<number> {
  const { flags } = parseArgs(args, ["account", "role", "description"]);
  const accountId = flags.get("account");
  if (!accountId || !/^[1-9][0-9]{0,17}$/.test(accountId)) throw new UsageError("keys create needs --account <decimal account id>");
  const role = flags.get("role") ?? "admin";
  if (role !== "admin" && role !== "readonly") throw new UsageError("--role is admin or readonly");
  const key = await withRuntime((rt) => createAccessKey(rt.deps, { accountId, role, description: flags.get("description") ?? "" }));
  process.stdout.write(
    `Created a ${role} key for account ${accountId}. The secret is shown this once:\n` +
      `AccessKeyId:     ${key.accessKeyId}\nSecretAccessKey: ${key.secretAccessKey}\n`,
  );
  return 0;
}

export async function keysList(args: string[]): Promise<number> {
  const { flags } = parseArgs(args, ["account"]);
  const rows = await withRuntime((rt) => listAccessKeys(rt.deps.db, flags.get("account")));
  process.stdout.write(
    ["ACCESS KEY ID".padEnd(40) + "ACCOUNT".padEnd(18) + "ROLE".padEnd(10) + "ENABLED  CREATED"]
      .concat(
        rows.map(
          (r) =>
            r.access_key_id.padEnd(40) +
            String(r.account_id).padEnd(18) +
            r.role.padEnd(10) +
            String(r.enabled).padEnd(9) +
            r.created_at.toISOString(),
        ),
      )
      .join("\n") + "\n",
  );
  return 0;
}

async function setEnabled(args: string[], enabled: boolean): Promise<number> {
  const { positionals } = parseArgs(args, []);
  const accessKeyId = positionals[0];
  if (!accessKeyId) throw new UsageError(`keys ${enabled ? "enable" : "disable"} needs an access key id`);
  const found = await withRuntime((rt) => setAccessKeyEnabledAndAnnounce(rt.deps.db, accessKeyId, enabled));
  if (!found) {
    process.stderr.write(`idplane: no access key ${accessKeyId}\n`);
    return 1;
  }
  process.stdout.write(`${accessKeyId} ${enabled ? "enabled" : "disabled"}\n`);
  return 0;
}

export const keysDisable = (args: string[]) => setEnabled(args, false);
export const keysEnable = (args: string[]) => setEnabled(args, true);
