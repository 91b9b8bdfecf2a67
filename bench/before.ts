// A commit's service, bundled as `npm run build` bundles this checkout, for a before/after in one run
// (BENCH_BEFORE=<commit>), for bench:floor and bench:tokens alike;
// packages and sql/ come from this checkout's node_modules.
import { execSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { startFlags } from "./load.js";

/** Bundles `commit`'s src/ into dist-before/main.js; returns its short hash and the Node flags of its `npm start`. */
export function buildBefore(commit: string): { short: string; flags: string[] } {
  rmSync("dist/before-src", { recursive: true, force: true });
  mkdirSync("dist/before-src", { recursive: true });
  execSync(`git archive ${commit} src | tar -x -C dist/before-src`);
  execSync(
    "npx esbuild dist/before-src/src/main.ts --bundle --platform=node --format=esm --packages=external --sourcemap --outdir=dist-before --log-level=warning",
  );
  return {
    short: execSync(`git rev-parse --short ${commit}`).toString().trim(),
    flags: startFlags(execSync(`git show ${commit}:package.json`).toString()),
  };
}
