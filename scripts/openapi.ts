// Writes openapi.yaml from the action registry, or with --check fails when the file is stale; either
// way it fails when the document is not valid OpenAPI (scripts/openapi-validate.ts).
import { actions } from "../src/control-plane/registry.js";
import { renderOpenApi } from "../src/control-plane/openapi.js";
import { writeOrCheck } from "./generated.js";
import { openApiProblems } from "./openapi-validate.js";

const fresh = renderOpenApi(actions);
const problems = await openApiProblems(fresh);
if (problems) {
  console.error(`the generated document is not valid OpenAPI:\n${problems}`);
  process.exit(1);
}
writeOrCheck(
  new URL("../openapi.yaml", import.meta.url),
  fresh,
  "openapi.yaml",
  "npm run openapi",
  `wrote openapi.yaml (${actions.size} actions)`,
);
