// Mutation testing of the security-critical code (issue 18): the gateway, the secret box, passwords,
// the ListUsers cursor (a token the caller holds), the reset token, and sign-in's client policy (which
// grants and authentication each client gets, exact redirect URI matching; issue 24); and (issue 30)
// what idplane fetches from the network (the outbound guard), what it accepts from other identity
// providers (SAML metadata and certificates), custom-domain names and their CNAME check, the URI rules
// of clients, and sign-in's own code around oidc-provider (client metadata, PKCE, refresh-token and
// revocation decisions, the adapter's stored payloads). Only the fast
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
  // Static mutants (module-level code: block lists, parser options, zod schemas) have no per-test
  // coverage, so each reruns the whole unit set: the 217 of issue 30's files alone put a run at about
  // 3 h on this machine, far past CI's bound. They are left out here; the narrowed per-group runs of
  // test/reliability/REPORT.md ("Mutation testing") scored them with the rest, every file at 100 %.
  ignoreStatic: true,
  mutate: [
    "src/control-plane/gateway/**/*.ts",
    "src/platform/crypto/**/*.ts",
    "src/users/password.ts",
    "src/users/cursor.ts",
    "src/password-reset/message.ts",
    "src/oauth-credentials/client-policy.ts",
    tokenLines(),
    "src/platform/outbound/**/*.ts",
    "src/identity-providers/saml-metadata.ts",
    "src/identity-providers/saml-certificates.ts",
    "src/user-pool-domains/names.ts",
    "src/user-pool-domains/dns-check.ts",
    "src/core/url.ts",
    "src/oauth-credentials/rules.ts",
    "src/oauth-credentials/client-schemas.ts",
    "src/sign-in/clients.ts",
    "src/sign-in/token-policy.ts",
    "src/sign-in/artifact-payload.ts",
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
