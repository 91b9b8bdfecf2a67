// Argument parsing for the CLI: `--name value` flags and positionals, with usage errors.
export class UsageError extends Error {}

export function parseArgs(args: string[], known: string[]): { flags: Map<string, string>; positionals: string[] } {
  const flags = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("--")) {
      positionals.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split("=", 2) as [string, string | undefined];
    if (!known.includes(name)) throw new UsageError(`unknown option --${name} (known: ${known.map((k) => "--" + k).join(", ") || "none"})`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  return { flags, positionals };
}
