// Every module under mutation loads, imported inside a test. A mutant in module-level code that makes
// a module throw on load (a bad TextDecoder label, a broken constant) stops every file that imports
// it statically from being collected, which StrykerJS's vitest runner would count as a survivor;
// here it fails a test instead.
//
// The unit set shares one module graph (isolate: false), so each test first drops the cache to load
// the module afresh, and the file drops it again when done: the other files then load the modules
// while they are collected, which keeps module-level code counted as static by StrykerJS (run
// against every test) rather than as covered by this file alone.
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";

beforeEach(() => {
  vi.resetModules();
});
afterAll(() => {
  vi.resetModules();
});

const modules = [
  "../../src/platform/crypto/secret-box.js",
  "../../src/control-plane/gateway/body.js",
  "../../src/control-plane/gateway/dispatch.js",
  "../../src/control-plane/gateway/envelope.js",
  "../../src/core/errors.js",
  "../../src/control-plane/gateway/params.js",
  "../../src/control-plane/gateway/replay.js",
  "../../src/control-plane/gateway/signing/canonical.js",
  "../../src/platform/crypto/signature-hash.js",
  "../../src/control-plane/gateway/signing/middleware.js",
  "../../src/control-plane/gateway/signing/verify.js",
  "../../src/control-plane/gateway/throttle.js",
  "../../src/control-plane/gateway/wire.js",
  "../../src/password-reset/message.js",
  "../../src/users/password.js",
  "../../src/platform/outbound/addresses.js",
  "../../src/platform/outbound/guarded-fetch.js",
  "../../src/platform/outbound/endpoint-check.js",
  "../../src/identity-providers/saml-metadata.js",
  "../../src/identity-providers/saml-certificates.js",
  "../../src/user-pool-domains/names.js",
  "../../src/user-pool-domains/dns-check.js",
  "../../src/core/url.js",
  "../../src/oauth-credentials/rules.js",
  "../../src/oauth-credentials/client-schemas.js",
  "../../src/sign-in/clients.js",
  "../../src/sign-in/token-policy.js",
  "../../src/sign-in/artifact-payload.js",
  "../../src/sign-in/federation/saml-checks.js",
  "../../src/sign-in/federation/id-token-checks.js",
];

describe("modules under mutation", () => {
  it.each(modules)("%s loads", async (path) => {
    expect(Object.keys(await import(path)).length).toBeGreaterThan(0);
  });
  it("decode query text with a working UTF-8 decoder", async () => {
    const { parseQuery } = await import("../../src/control-plane/gateway/signing/canonical.js");
    expect(parseQuery("a=%C3%A9%FF")[0]!.valueText).toBe("é\uFFFD");
  });
});
