// Fixed hostile inputs the fuzz suite always sends first: inputs that once broke the service (each
// with the finding it recorded) and a few edge shapes worth checking on every run, whatever the seed.
import { signedCase, type FuzzCase, type FuzzWorld } from "./requests.js";

const json = (w: FuzzWorld, action: string, body: string | Buffer, kind: string): FuzzCase => ({
  ...signedCase(w, { action, body: Buffer.from(body) }),
  kind,
  action,
  expect: "ok-allowed",
});

const form = (w: FuzzWorld, action: string, body: string, kind: string): FuzzCase => ({
  ...signedCase(w, { action, body: Buffer.from(body), contentType: "application/x-www-form-urlencoded" }),
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
  (w) => form(w, "CreateUserPool", `${"A.".repeat(20_000)}B=1&Name=x`, "regression:deep-dotted-name"),
  // The Action is echoed in the envelope and the request log line: it must not forge either.
  (w) => json(w, '\n{"level":60,"msg":"forged"}\r\nX-Injected: yes', "{}", "regression:log-forgery"),
  (w) =>
    form(
      w,
      "CreateUsers",
      `UserPoolUid=x&${Array.from({ length: 40_000 }, (_, i) => `Users.${(i % 99_999) + 1}.Email=a`).join("&")}`,
      "regression:many-indexes",
    ),
  (w) =>
    form(
      w,
      "UpdateUserPool",
      "UserPoolUid=x&CustomScopes.1.a=1&CustomScopes.99999=2&PasswordPolicy=%7B%22MinLength%22%3A%7B%7D%7D",
      "regression:mixed-shapes",
    ),
];
