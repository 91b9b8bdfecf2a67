// Writes docs/configuration.md from the configuration schema, or with --check fails when it is stale.
import { renderConfigurationDoc } from "../src/platform/config-docs.js";
import { writeOrCheck } from "./generated.js";

writeOrCheck(
  new URL("../docs/configuration.md", import.meta.url),
  renderConfigurationDoc(),
  "docs/configuration.md",
  "npm run config:docs",
  "wrote docs/configuration.md",
);
