// The layering rule of docs/architecture.md, as a test: the neutral core imports no other layer; the
// platform (database, config, log, outbound, mail, crypto, rate limits) and every family import
// nothing of the signed API's edge (src/control-plane: gateway, registry, openapi). A family that
// reached into the edge would tie its rules to HTTP. Core may import
// types from elsewhere (ActionContext names AppDeps), never code.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, it } from "vitest";

const SRC = new URL("../src/", import.meta.url).pathname;
const EDGE = ["control-plane"];
const TOP = new Set(["app.ts", "main.ts", "compose.ts", "welcome.ts", "cli", "deps.ts", ...EDGE]);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith(".ts") ? [path] : [];
  });
}

/** The src/ folder (or top-level file) each relative import of a file lands in, and whether it is type-only. */
function importedAreas(file: string): { target: string; typeOnly: boolean }[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^import( type)?[^;]*?from "(\.{1,2}\/[^"]+)"/gms)].map((m) => ({
    target: relative(SRC, join(file, "..", m[2]!)).split("/")[0]!.replace(/\.js$/, ""),
    typeOnly: m[1] !== undefined,
  }));
}

it("keeps core neutral and the families and db below the edge", () => {
  const breaches: string[] = [];
  for (const file of files(SRC)) {
    const area = relative(SRC, file).split("/")[0]!;
    if (TOP.has(area)) continue;
    for (const { target, typeOnly } of importedAreas(file)) {
      if (EDGE.includes(target)) breaches.push(`${relative(SRC, file)} imports src/${target}`);
      // Core may name the composition's types (the handler's context), never run another layer's code.
      if (area === "core" && target !== "core" && !typeOnly) breaches.push(`${relative(SRC, file)} (core) imports src/${target}`);
    }
  }
  expect(breaches).toEqual([]);
});
