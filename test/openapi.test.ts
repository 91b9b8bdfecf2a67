// openapi.yaml is generated from the action registry and must be committed fresh.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { actions } from "../src/actions/index.js";
import { renderOpenApi } from "../src/openapi.js";

describe("openapi.yaml", () => {
  it("is current with the registry (run `npm run openapi` when this fails)", () => {
    expect(readFileSync(new URL("../openapi.yaml", import.meta.url), "utf8")).toBe(renderOpenApi(actions));
  });
  it("describes every action with its request and result schemas", () => {
    const doc = parse(renderOpenApi(actions));
    for (const name of actions.keys()) {
      expect(doc.paths[`/?Action=${name}&Version=2025-10-30`].post.operationId).toBe(name);
      expect(doc.components.schemas[`${name}Request`].type).toBe("object");
      expect(doc.components.schemas[`${name}Result`]).toBeTruthy();
    }
  });
});
