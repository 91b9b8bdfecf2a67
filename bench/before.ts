// A commit's service, bundled as `npm run build` bundles this checkout, for a before/after in one run
// (BENCH_BEFORE=<commit>), for bench:floor and bench:tokens alike;
// packages and sql/ come from this checkout's node_modules.
import { execSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { startFlags } from "./load.js";

/** Bundles `commit`'s src/ into dist-before/ (main.js and any chunks); returns its short hash and the Node flags of its `npm start`. */
export function buildBefore(commit: string): { short: string; flags: string[] } {
  rmSync("dist/before-src", { recursive: true, force: true });
  mkdirSync("dist/before-src", { recursive: true });
  execSync(`git archive ${commit} src | tar -x -C dist/before-src`);
  const pkg = execSync(`git show ${commit}:package.json`).toString();
  // That commit's own esbuild command (a change of bundling, such as --splitting, is a step too),
  // pointed at its sources and at dist-before/.
  const build = (JSON.parse(pkg) as { scripts: { build: string } }).scripts.build;
  const esbuild = build.slice(build.indexOf("esbuild "));
  rmSync("dist-before", { recursive: true, force: true });
  execSync(`npx ${esbuild.replace(" src/main.ts", " dist/before-src/src/main.ts").replace("--outdir=dist ", "--outdir=dist-before ")}`);
  return { short: execSync(`git rev-parse --short ${commit}`).toString().trim(), flags: startFlags(pkg) };
}
