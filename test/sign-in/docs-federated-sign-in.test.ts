// docs/federated-sign-in.md cannot rot: its example runs as one script, as a newcomer would paste
// it, against a fresh server allowed to reach loopback and a real upstream OpenID Provider
// (oidc-provider, test/support/upstream-oidc.ts) that signs its test account in by itself.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestService, type TestService } from "../support/harness.js";
import { runExample } from "../support/example-script.js";
import { LOOPBACK_OUTBOUND } from "../support/federation-sign-in.js";
import { startUpstream, UPSTREAM_CLIENT, type Upstream } from "../support/upstream-oidc.js";

const DOC = readFileSync(new URL("../../docs/federated-sign-in.md", import.meta.url), "utf8");

let svc: TestService;
let upstream: Upstream;
beforeAll(async () => {
  upstream = await startUpstream();
  svc = await startTestService({ env: LOOPBACK_OUTBOUND });
  upstream.allowRedirectPrefix(`${svc.url}/userpool/`);
}, 60_000);
afterAll(async () => {
  await svc?.close();
  await upstream?.close();
});

it("docs/federated-sign-in.md's example signs a person in through an OIDC connection", { timeout: 60_000 }, async () => {
  const blocks = [...DOC.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks).toHaveLength(1);
  upstream.nextLogin = { account: { sub: "docs-person", email: "docs@example.org", email_verified: true, name: "Doc Person" } };
  Object.assign(process.env, {
    UPSTREAM_ISSUER: upstream.issuer,
    UPSTREAM_CLIENT_ID: UPSTREAM_CLIENT.id,
    UPSTREAM_CLIENT_SECRET: UPSTREAM_CLIENT.secret,
  });
  const run = await runExample(svc, blocks.join("\n"));
  expect(run.code, run.err + run.out).toBe(0);
  expect(run.out.trim().split("\n")).toEqual(["true", "true CREATE", "oidc Partner SSO"]);
});
