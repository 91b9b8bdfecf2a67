// Fixed hostile inputs the fuzz suite always sends first: inputs that once broke the service (each
// with the finding it recorded) and a few edge shapes worth checking on every run, whatever the seed.
import { signedCase, type FuzzCase, type FuzzWorld } from "./fuzz-requests.js";

const json = (w: FuzzWorld, action: string, body: string | Buffer, kind: string): FuzzCase => ({
  ...signedCase(w, { action, body: Buffer.from(body) }),
  kind,
  action,
  expect: "ok-allowed",
});

export const REGRESSIONS: ((w: FuzzWorld) => FuzzCase)[] = [
  (w) => json(w, "CreateUserPool", "[".repeat(100_000) + "]".repeat(100_000), "regression:deep-array"),
  (w) => json(w, "CreateUsers", `{"UserPoolUid":"x","Users":[${"[".repeat(50_000)}${"]".repeat(50_000)}]}`, "regression:deep-item"),
  (w) => json(w, "ListUserPools", '{"__proto__":{"PageSize":1},"constructor":{"prototype":{"x":1}}}', "regression:proto-keys"),
  (w) => json(w, "GetUserPool", '{"UserPoolUid":"\\u0000\' or 1=1 --"}', "regression:nul-sql"),
  (w) => json(w, "GetOAuthCredential", `{"CredentialId":${"9".repeat(400)}}`, "regression:huge-number"),
];
