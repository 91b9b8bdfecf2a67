// A file generated from the code and committed (openapi.yaml, docs/configuration.md): written, or
// with --check compared, failing when stale, so CI and the tests catch a forgotten regeneration.
import { readFileSync, writeFileSync } from "node:fs";

export function writeOrCheck(file: URL, fresh: string, name: string, command: string, wrote: string): void {
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(file, "utf8");
    } catch {}
    if (current !== fresh) {
      console.error(`${name} is stale: run \`${command}\` and commit it`);
      process.exit(1);
    }
    console.log(`${name} is current`);
  } else {
    writeFileSync(file, fresh);
    console.log(wrote);
  }
}
