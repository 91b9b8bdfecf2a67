// The test tiers, as Vitest projects:
// - unit: `*.unit.test.ts` anywhere under test/, calling the edge's functions directly: no database, no
//   server, no global setup. `npm run test:unit` runs it in seconds, and StrykerJS
//   (stryker.config.mjs) reruns it for every mutant.
// - api: everything else that runs the real app on the suite's database (test/support/global-setup.ts
//   chooses it); `npm run test:pgbouncer` runs this project again through PgBouncer.
// - reliability: the suites that bring their own servers or faults (private Postgres servers,
//   HAProxy, PgBouncer, killed databases) and the fuzz suite: not run through the suite's PgBouncer.
// `npm test` runs all three.
import { defineConfig } from "vitest/config";

const UNIT = "test/**/*.unit.test.ts";
// IDPLANE_UNIT_FILES (comma-separated globs) narrows the unit project to the files that test what is
// being mutated: a run of `stryker run --mutate <file>` against those files alone takes minutes, where
// every static mutant would otherwise rerun the whole unit set. Scores so measured are lower bounds
// (a test left out can only kill more); CI and `npm run mutation` never set it.
const unitFiles = process.env.IDPLANE_UNIT_FILES?.split(",").filter(Boolean);
const RELIABILITY = ["fuzz", "db-faults", "failover", "load-balancer", "pgbouncer", "sign-in-instances"].map(
  (name) => `test/reliability/${name}.test.ts`,
);
const DATABASE = { globalSetup: ["test/support/global-setup.ts"], testTimeout: 30_000, hookTimeout: 60_000 };

const projects = [
  {
    extends: true as const,
    test: {
      name: "unit",
      include: unitFiles ?? [UNIT],
      testTimeout: 10_000,
      // One module graph per worker for all files: zod, hono and the gateway load once per run, not
      // once per file. Measured on the mutation run: 1,555 mutants took 33 min with this and were on
      // course for 2 h 40 min without it (same busy machine). The files share no mutable state.
      isolate: false,
    },
  },
  {
    extends: true as const,
    test: { name: "api", include: ["test/**/*.test.ts"], exclude: ["**/node_modules/**", UNIT, ...RELIABILITY], ...DATABASE },
  },
  { extends: true as const, test: { name: "reliability", include: RELIABILITY, ...DATABASE } },
];

// StrykerJS's vitest runner cannot choose a project, so stryker.config.mjs sets
// IDPLANE_TEST_PROJECT=unit and only that project exists for its run.
const only = process.env.IDPLANE_TEST_PROJECT;

export default defineConfig({
  test: {
    projects: only ? projects.filter((p) => p.test.name === only) : projects,
    // Two cores: two workers keep the suite fast without starving the servers under test.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    pool: "forks",
  },
});
