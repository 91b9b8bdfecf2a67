// `keys rotate-signing --account <id> --pool <uid>`: new signing keys for a pool's OpenID Provider
// (src/sign-in/keys.ts). Prints the new and the retired key ids and until when the retired public
// keys stay published; never a private key.
import { rotatePoolSigningKey } from "../sign-in/keys.js";
import { parseArgs, UsageError } from "./args.js";
import { withRuntime } from "./runtime.js";

export async function keysRotateSigning(args: string[]): Promise<number> {
  const { flags } = parseArgs(args, ["account", "pool"]);
  const accountId = flags.get("account");
  const poolUid = flags.get("pool");
  if (!accountId || !/^[1-9][0-9]{0,17}$/.test(accountId)) throw new UsageError("keys rotate-signing needs --account <decimal account id>");
  if (!poolUid || poolUid.length > 128) throw new UsageError("keys rotate-signing needs --pool <user pool uid>");
  const result = await withRuntime((rt) => rotatePoolSigningKey(rt.deps, accountId, poolUid));
  const lines = [
    `Rotated the signing keys of pool ${poolUid} (account ${accountId}).`,
    ...result.current.map((k) => `signing now:  ${k.alg} ${k.kid}`),
    ...result.retired.map((k) => `retired:      ${k.alg} ${k.kid}, published until ${k.publishUntil.toISOString()}`),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
