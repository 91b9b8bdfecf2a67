// The fast unit set: tests that call the edge's functions directly, with no database, no server and
// no global setup. `npm run test:unit` runs it in seconds, and StrykerJS (stryker.config.mjs) reruns it
// for every mutant; `npm test` (vitest.config.ts) runs these files too, with everything else.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts", "test/signing.test.ts"],
    // Rules not enforced on main yet (it.fails): run by `npm test`, kept out of the mutation run.
    exclude: ["test/unit/pending/**", "**/node_modules/**"],
    testTimeout: 10_000,
  },
});
