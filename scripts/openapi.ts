// Writes openapi.yaml from the action registry, or with --check fails when the file is stale.
import { actions } from "../src/control-plane/registry.js";
import { renderOpenApi } from "../src/control-plane/openapi.js";
import { writeOrCheck } from "./generated.js";

writeOrCheck(new URL("../openapi.yaml", import.meta.url), renderOpenApi(actions), "openapi.yaml", "npm run openapi", `wrote openapi.yaml (${actions.size} actions)`);
