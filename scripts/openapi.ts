// Writes openapi.yaml from the action registry, or with --check fails when the file is stale; either
// way it fails when the document is not valid OpenAPI (scripts/openapi-validate.ts).
import { readFileSync, writeFileSync } from "node:fs";
import { actions } from "../src/control-plane/registry.js";
import { renderOpenApi } from "../src/control-plane/openapi.js";
import { openApiProblems } from "./openapi-validate.js";

const file = new URL("../openapi.yaml", import.meta.url);
const fresh = renderOpenApi(actions);
const problems = await openApiProblems(fresh);
if (problems) {
  console.error(`the generated document is not valid OpenAPI:\n${problems}`);
  process.exit(1);
}
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
