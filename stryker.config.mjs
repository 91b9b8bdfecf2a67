// Mutation testing of the security-critical code (issue 18): the gateway, the secret box, passwords,
// the ListUsers cursor (a token the caller holds), the reset token, and sign-in's client policy (which
// grants and authentication each client gets, exact redirect URI matching; issue 24). Issue 30's
// files (outbound guard, SAML metadata and certificates, domain names, URI rules, sign-in's policy,
// federation's checks) are in stryker.surfaces.config.mjs, run group by group against each group's
// own tests (their static mutants would each rerun the whole unit set, about 3 h); `npm run
// mutation:ci` runs both, incrementally. Only the fast
// unit set (the unit project of vitest.config.ts) runs against the mutants, so a whole run fits in CI;
// scripts/mutation-score.mjs then checks each file's score against the floor and the listed
// equivalent mutants (mutation/equivalents.json).
import { readFileSync } from "node:fs";

// The vitest runner cannot pick a project: vitest.config.ts defines only this one when this is set
// (Stryker's workers inherit the environment).
process.env.IDPLANE_TEST_PROJECT = "unit";

/** The lines of the reset token's own code in service.ts, found by name so that edits above it cannot shift the range. */
function tokenLines() {
  const file = "src/password-reset/service.ts";
  const lines = readFileSync(file, "utf8").split("\n");
  const first = lines.findIndex((l) => l.startsWith("const TOKEN_BYTES"));
  const last = lines.findIndex((l) => l.startsWith("export const hashToken"));
  if (first === -1 || last < first) throw new Error(`stryker.config.mjs: the token code moved in ${file}; update tokenLines()`);
  return `${file}:${first + 1}-${last + 1}`;
}

export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.config.ts", related: false },
  coverageAnalysis: "perTest",
  mutate: [
    "src/control-plane/gateway/**/*.ts",
    "src/platform/crypto/**/*.ts",
    "src/users/password.ts",
    "src/users/cursor.ts",
    "src/password-reset/message.ts",
    "src/oauth-credentials/client-policy.ts",
    tokenLines(),
  ],
  // Two cores, shared: more workers only queue behind each other.
  concurrency: 2,
  timeoutMS: 10_000,
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  // Committed: `npm run mutation` (a full run, --force) rewrites it, and CI's `npm run mutation:ci`
  // reruns only the mutants whose code or covering tests changed since, reusing the rest.
  incrementalFile: "mutation/incremental.json",
  clearTextReporter: { allowColor: false, logTests: false },
  ignorePatterns: ["dist", "reports", "bench/results", ".idplane", "coverage"],
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
