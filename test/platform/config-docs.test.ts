// docs/configuration.md is generated from the configuration schema and must be committed fresh,
// with every variable documented (`npm run config:docs` rewrites it).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { envSchema } from "../../src/platform/config.js";
import { CONFIG_DOCS, renderConfigurationDoc } from "../../src/platform/config-docs.js";

describe("docs/configuration.md", () => {
  it("is current with src/platform/config.ts (run `npm run config:docs` when this fails)", () => {
    expect(readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8")).toBe(renderConfigurationDoc());
  });
  it("documents every variable, with the schema's own default where it has one", () => {
    expect(renderConfigurationDoc()).not.toContain("undocumented");
    const wrong = Object.entries(envSchema.shape).flatMap(([name, field]) => {
      const def = (field as { _zod: { def: { type: string; defaultValue?: unknown } } })._zod.def;
      if (def.type !== "default") return [];
      return CONFIG_DOCS[name]?.default === `\`${String(def.defaultValue)}\``
        ? []
        : [`${name}: ${CONFIG_DOCS[name]?.default} vs ${String(def.defaultValue)}`];
    });
    expect(wrong).toEqual([]);
  });
});
