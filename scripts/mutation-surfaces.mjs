// Runs stryker.surfaces.config.mjs one group at a time, each group's mutants against its own unit
// tests (plus the module-load test), and scores each run with scripts/mutation-score.mjs (85 % per
// file). Exits 1 when any group's run fails or any file is under the floor.
// Usage: node scripts/mutation-surfaces.mjs [group ...]   (default: every group)
import { spawnSync } from "node:child_process";
import { SURFACE_GROUPS } from "../stryker.surfaces.config.mjs";

const asked = process.argv.slice(2);
const groups = asked.length ? asked : Object.keys(SURFACE_GROUPS);
let failed = false;
for (const name of groups) {
  const group = SURFACE_GROUPS[name];
  if (!group) throw new Error(`no such group: ${name} (${Object.keys(SURFACE_GROUPS).join(", ")})`);
  console.log(`\nmutation:surfaces: ${name}: ${group.mutate.join(", ")}`);
  const env = { ...process.env, IDPLANE_UNIT_FILES: [...group.tests, "test/control-plane/modules-load.unit.test.ts"].join(",") };
  const run = spawnSync("npx", ["stryker", "run", "stryker.surfaces.config.mjs", "--mutate", group.mutate.join(",")], {
    env,
    stdio: "inherit",
  });
  const score = run.status === 0 ? spawnSync("node", ["scripts/mutation-score.mjs"], { stdio: "inherit" }) : run;
  if (run.status !== 0 || score.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
