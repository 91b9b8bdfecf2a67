// Mutation testing of issue 30's security surfaces: what idplane fetches from the network (the
// outbound guard), what it accepts from other identity providers (SAML metadata and certificates),
// custom-domain names and their CNAME check, the URI rules of clients, and sign-in's own code around
// oidc-provider (client metadata, PKCE, refresh-token and revocation decisions, the adapter's stored
// payloads). Not in CI: against the whole unit set their 217 static mutants (block lists, parser
// options, zod schemas) each rerun every unit test, about 3 h on this machine. scripts/
// mutation-surfaces.mjs runs them in groups, each against its own tests (IDPLANE_UNIT_FILES), about
// 30 min; the scores are in test/reliability/REPORT.md ("Mutation testing"). Same floor, same
// equivalents list as the CI set.
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
    mutate: ["src/sign-in/clients.ts", "src/sign-in/token-policy.ts", "src/sign-in/artifact-payload.ts"],
    tests: ["test/sign-in/*.unit.test.ts"],
  },
};

export default {
  ...base,
  mutate: Object.values(SURFACE_GROUPS).flatMap((g) => g.mutate),
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
};
