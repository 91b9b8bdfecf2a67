// Mutation testing of issue 30's security surfaces: what idplane fetches from the network (the
// outbound guard), what it accepts from other identity providers (SAML metadata and certificates,
// the federated sign-in's assertion and ID-token checks), custom-domain names and their CNAME check,
// the URI rules of clients, and sign-in's own code around oidc-provider (client metadata, PKCE,
// refresh-token and revocation decisions, the adapter's stored payloads).
//
// Run in groups, each group's mutants against its own unit tests only (IDPLANE_UNIT_FILES): against
// the whole unit set their static mutants (block lists, parser options, zod schemas) each rerun every
// unit test, about 3 h on this machine; narrowed, all groups together take about 30 min. Stryker's
// ignoreStatic is no way out (a zod schema mutated at module level survives falsely).
// IDPLANE_MUTATION_GROUP names the group: this config then mutates that group's files, narrows the
// unit project to its tests, and keeps the group's own incremental baseline
// (mutation/incremental-<group>.json, committed) and JSON report (reports/mutation/<group>.json).
// scripts/mutation-surfaces.mjs sets it, group by group; CI runs it incrementally (`npm run
// mutation:ci`), so only mutants whose code or covering tests changed are rerun.
// Same floor, same equivalents list as the CI set of stryker.config.mjs.
import base from "./stryker.config.mjs";

export const SURFACE_GROUPS = {
  outbound: {
    mutate: ["src/platform/outbound/addresses.ts", "src/platform/outbound/guarded-fetch.ts", "src/platform/outbound/endpoint-check.ts"],
    tests: ["test/platform/outbound/*.unit.test.ts"],
  },
  saml: {
    mutate: ["src/identity-providers/saml-metadata.ts", "src/identity-providers/saml-certificates.ts"],
    tests: ["test/identity-providers/*.unit.test.ts"],
  },
  uriRules: {
    mutate: ["src/core/url.ts", "src/oauth-credentials/rules.ts", "src/oauth-credentials/client-schemas.ts"],
    tests: ["test/oauth-credentials/*.unit.test.ts"],
  },
  domains: {
    mutate: ["src/user-pool-domains/names.ts", "src/user-pool-domains/dns-check.ts"],
    tests: ["test/user-pool-domains/*.unit.test.ts"],
  },
  signIn: {
    mutate: [
      "src/sign-in/clients.ts",
      "src/sign-in/token-policy.ts",
      "src/sign-in/artifact-payload.ts",
      "src/sign-in/userinfo-checks.ts",
      "src/sign-in/client-credentials-checks.ts",
      "src/sign-in/access-token-signature.ts",
    ],
    tests: ["test/sign-in/*.unit.test.ts"],
  },
  federation: {
    mutate: ["src/sign-in/federation/saml-checks.ts", "src/sign-in/federation/id-token-checks.ts"],
    tests: ["test/sign-in/federation/*.unit.test.ts"],
  },
};

/** The unit tests a group's mutants run against: its own, and the module-load test (a mutant that breaks loading fails it). */
export const groupTests = (group) => [...group.tests, "test/control-plane/modules-load.unit.test.ts"];

const name = process.env.IDPLANE_MUTATION_GROUP;
const group = name === undefined ? undefined : SURFACE_GROUPS[name];
if (name !== undefined && !group)
  throw new Error(`IDPLANE_MUTATION_GROUP: no such group: ${name} (${Object.keys(SURFACE_GROUPS).join(", ")})`);
// Stryker's workers inherit the environment, as with IDPLANE_TEST_PROJECT in stryker.config.mjs.
if (group) process.env.IDPLANE_UNIT_FILES = groupTests(group).join(",");

export default group
  ? {
      ...base,
      mutate: group.mutate,
      incrementalFile: `mutation/incremental-${name}.json`,
      jsonReporter: { fileName: `reports/mutation/${name}.json` },
    }
  : {
      ...base,
      mutate: Object.values(SURFACE_GROUPS).flatMap((g) => g.mutate),
      // Without a group, never the CI set's baseline.
      incrementalFile: "reports/mutation/incremental-surfaces.json",
      jsonReporter: { fileName: "reports/mutation/surfaces.json" },
    };
