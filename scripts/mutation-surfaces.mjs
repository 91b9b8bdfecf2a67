// Runs stryker.surfaces.config.mjs one group at a time (IDPLANE_MUTATION_GROUP), each group's mutants
// against its own unit tests plus the module-load test, incrementally against the group's committed
// baseline (mutation/incremental-<group>.json), and scores each group's report with
// scripts/mutation-score.mjs (85 % per file). Exits 1 when any group's run fails or any file is under
// the floor.
// Usage: node scripts/mutation-surfaces.mjs [--force] [--concurrency N] [group ...]   (default: every group)
//   --force           rerun every mutant and rewrite the baselines (`npm run mutation:surfaces`)
//   other --options   passed to `stryker run` as they are
import { spawnSync } from "node:child_process";
import { SURFACE_GROUPS } from "../stryker.surfaces.config.mjs";

const args = process.argv.slice(2);
const strykerArgs = [];
const asked = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (!arg.startsWith("--")) asked.push(arg);
  else if (arg === "--force") strykerArgs.push(arg);
  else if (arg.includes("=") || args[i + 1] === undefined || args[i + 1].startsWith("--")) strykerArgs.push(arg);
  else strykerArgs.push(arg, args[++i]);
}
const groups = asked.length ? asked : Object.keys(SURFACE_GROUPS);
for (const name of groups) {
  if (!SURFACE_GROUPS[name]) throw new Error(`no such group: ${name} (${Object.keys(SURFACE_GROUPS).join(", ")})`);
}
const failed = [];
for (const name of groups) {
  const started = Date.now();
  console.log(`\nmutation:surfaces: ${name}: ${SURFACE_GROUPS[name].mutate.join(", ")}`);
  const env = { ...process.env, IDPLANE_MUTATION_GROUP: name };
  const run = spawnSync("npx", ["stryker", "run", "stryker.surfaces.config.mjs", "--incremental", ...strykerArgs], {
    env,
    stdio: "inherit",
  });
  const score =
    run.status === 0
      ? spawnSync("node", ["scripts/mutation-score.mjs", "--report", `reports/mutation/${name}.json`], { stdio: "inherit" })
      : run;
  console.log(`mutation:surfaces: ${name} took ${Math.round((Date.now() - started) / 1000)} s`);
  if (run.status !== 0 || score.status !== 0) failed.push(name);
}
if (failed.length) console.error(`mutation:surfaces: failed: ${failed.join(", ")}`);
process.exit(failed.length ? 1 : 0);
