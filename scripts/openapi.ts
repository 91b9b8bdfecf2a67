// Writes openapi.yaml from the action registry, or with --check fails when the file is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { actions } from "../src/control-plane/registry.js";
import { renderOpenApi } from "../src/control-plane/openapi.js";

const file = new URL("../openapi.yaml", import.meta.url);
const fresh = renderOpenApi(actions);
if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(file, "utf8");
  } catch {}
  if (current !== fresh) {
    console.error("openapi.yaml is stale: run `npm run openapi` and commit it");
    process.exit(1);
  }
  console.log("openapi.yaml is current");
} else {
  writeFileSync(file, fresh);
  console.log(`wrote openapi.yaml (${actions.size} actions)`);
}
