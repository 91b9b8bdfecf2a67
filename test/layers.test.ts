// The layering rules of docs/architecture.md, as tests: the neutral core imports no other layer; the
// platform (database, config, log, outbound, mail, crypto, rate limits) and every family import
// nothing of the signed API's edge (src/control-plane: gateway, registry, openapi). A family that
// reached into the edge would tie its rules to HTTP. Core may import
// types from elsewhere (ActionContext names AppDeps), never code. Within the families: a service
// never imports actions (its input types come from schemas.ts), and no two families import each
// other, directly or round a longer circle. CI's `npm run cycles` (dpdm) checks file-level circles.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
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
function importedAreas(file: string): { target: string; path: string; typeOnly: boolean }[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^(?:import|export)( type)?[^;]*?from "(\.{1,2}\/[^"]+)"/gms)].map((m) => {
    const path = relative(SRC, join(file, "..", m[2]!));
    return { target: path.split("/")[0]!.replace(/\.js$/, ""), path, typeOnly: m[1] !== undefined };
  });
}

const NOT_FAMILIES = new Set(["control-plane", "platform", "core", "cli", "sign-in"]);
const familyOf = (path: string) => {
  const [area, ...rest] = path.split("/");
  return rest.length > 0 && !NOT_FAMILIES.has(area!) ? area : undefined;
};

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

it("keeps services off their actions: input types come from schemas.ts", () => {
  const breaches: string[] = [];
  for (const file of files(SRC)) {
    if (!/(^|-)service\.ts$/.test(file.split("/").pop()!)) continue;
    for (const { path } of importedAreas(file))
      if (/(^|\/|-)actions\.js$/.test(path)) breaches.push(`${relative(SRC, file)} imports ${path}`);
  }
  expect(breaches).toEqual([]);
});

it("keeps a family's action list to the registry: nothing else in src imports another family's actions.ts", () => {
  const breaches: string[] = [];
  for (const file of files(SRC)) {
    const own = familyOf(relative(SRC, file));
    for (const { path } of importedAreas(file)) {
      const target = familyOf(path);
      if (target && target !== own && /(^|\/|-)actions\.js$/.test(path) && !relative(SRC, file).startsWith("control-plane/"))
        breaches.push(`${relative(SRC, file)} imports ${path}`);
    }
  }
  expect(breaches).toEqual([]);
});

it("gives every family with actions its schemas.ts", () => {
  const missing = [
    ...new Set(
      files(SRC)
        .map((f) => relative(SRC, f))
        .filter((f) => /^[^/]+\/actions\.ts$/.test(f) && familyOf(f)),
    ),
  ]
    .map((f) => f.split("/")[0]!)
    .filter((family) => !existsSync(join(SRC, family, "schemas.ts")));
  expect(missing).toEqual([]);
});

it("has no import circles between families", () => {
  // Imports of another family's tables.ts are allowed: a tables.ts is a leaf (column types and the
  // enum lists the SQL checks; the next test holds it to type-only imports), so it closes no circle.
  const edges = new Map<string, Set<string>>();
  for (const file of files(SRC)) {
    const from = familyOf(relative(SRC, file));
    if (!from) continue;
    for (const { path } of importedAreas(file)) {
      const to = familyOf(path);
      if (!to || to === from || path.endsWith("/tables.js")) continue;
      edges.set(from, (edges.get(from) ?? new Set()).add(to));
    }
  }
  // Every circle through two or more families, as the sorted list of the families on it.
  const circles = new Set<string>();
  const walk = (start: string, at: string, seen: string[]) => {
    for (const next of edges.get(at) ?? []) {
      if (next === start) circles.add([...seen].sort().join(" <-> "));
      else if (!seen.includes(next) && next > start) walk(start, next, [...seen, next]);
    }
  };
  for (const start of edges.keys()) walk(start, start, [start]);
  expect([...circles].sort()).toEqual([]);
});

it("keeps every tables.ts a leaf: type-only imports", () => {
  const breaches = files(SRC)
    .filter((file) => file.endsWith("/tables.ts"))
    .flatMap((file) =>
      importedAreas(file)
        .filter((i) => !i.typeOnly)
        .map((i) => `${relative(SRC, file)} imports ${i.path} at run time`),
    );
  expect(breaches).toEqual([]);
});
