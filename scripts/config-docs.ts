// Writes docs/configuration.md from the configuration schema, or with --check fails when it is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { renderConfigurationDoc } from "../src/platform/config-docs.js";

const file = new URL("../docs/configuration.md", import.meta.url);
const fresh = renderConfigurationDoc();
if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(file, "utf8");
  } catch {}
  if (current !== fresh) {
    console.error("docs/configuration.md is stale: run `npm run config:docs` and commit it");
    process.exit(1);
  }
  console.log("docs/configuration.md is current");
} else {
  writeFileSync(file, fresh);
  console.log("wrote docs/configuration.md");
}
