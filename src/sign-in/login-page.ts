// A client's LoginPageUrl, `<issuer>/login?client_id=<id>` (upstream's field; Cognito's hosted UI
// has the same /login?client_id=&redirect_uri=&response_type=). It is not an OAuth endpoint: a
// person opens it from a link or a console, so it starts the client's authorization request on the
// person's behalf and the hosted page does the rest:
//
//   302 to <issuer>/oauth2/authorize?client_id=&response_type=code&scope=openid&redirect_uri=<the
//   client's first AllowedCallbackUrls entry>, with any redirect_uri, scope, state, nonce,
//   code_challenge(+_method), login_hint, prompt or response_type given here passed on unchanged
//   (the library then checks them as it checks any authorization request).
//
// It cannot when the request would be refused anyway, and then answers a page (never a redirect)
// asking the person to start from the application: a client that must use PKCE (SPA, NATIVE) and
// gave no code_challenge (only the application holds the verifier), a client with no callback URL
// (client_credentials only), an unknown client or another pool's. A confidential client that
// receives a code it did not ask for must accept a response without its own state, as with any
// IdP-initiated sign-in: that is the application's choice (docs/sign-in.md, "LoginPageUrl").
import { findSignInClient } from "../oauth-credentials/client-auth.js";
import { ENDPOINT_PATHS } from "../user-pools/endpoints.js";
import { sendPage } from "./interactions.js";
import { errorPage } from "./pages/forms.js";
import { pickStrings } from "./pages/i18n.js";
import type { SignInDeps } from "./provider.js";
import type { PoolProvider } from "./providers.js";
import type { SignInContext as Ctx } from "./request-info.js";

/** The parameters passed on to the authorization endpoint; anything else is dropped. */
const PASSED_ON = [
  "redirect_uri",
  "response_type",
  "scope",
  "state",
  "nonce",
  "code_challenge",
  "code_challenge_method",
  "login_hint",
  "prompt",
  "ui_locales",
] as const;
const MAX_PARAM = 2048;

export async function loginPage(deps: SignInDeps, c: Ctx, pp: PoolProvider) {
  const t = pickStrings(c.req.header("accept-language"));
  const { brand, accountId, poolUid, issuer } = pp.snapshot;
  const refuse = (status: number, error: string, description: string) =>
    sendPage(c, errorPage(t, brand, t.startFromApp, status, { error, description }));
  if (c.req.method !== "GET" && c.req.method !== "HEAD") return refuse(405, "invalid_request", "use GET");

  const query = c.req.queries();
  // One value each, bounded: the same rules as the authorization endpoint's (no repeated parameter).
  const one = (name: string): string | undefined | null => {
    const values = query[name];
    if (values === undefined) return undefined;
    return values.length === 1 && values[0]!.length <= MAX_PARAM ? values[0]! : null;
  };
  const clientId = one("client_id");
  if (!clientId || clientId.length > 128) return refuse(400, "invalid_request", "client_id is missing or not valid");
  const client = await findSignInClient(deps, accountId, poolUid, clientId);
  if (!client || !client.enabled) return refuse(400, "invalid_client", "unknown client");
  if (client.redirectUris.length === 0 || !client.grantTypes.includes("authorization_code"))
    return refuse(400, "unauthorized_client", "the client does not sign people in");

  const target = new URL(`${issuer}${ENDPOINT_PATHS.authorization}`);
  target.searchParams.set("client_id", clientId);
  for (const name of PASSED_ON) {
    const value = one(name);
    if (value === null) return refuse(400, "invalid_request", `${name} is repeated or too long`);
    if (value !== undefined) target.searchParams.set(name, value);
  }
  if (client.pkceRequired && !target.searchParams.has("code_challenge"))
    return refuse(400, "invalid_request", "this application starts sign-in itself (PKCE)");
  if (!target.searchParams.has("response_type")) target.searchParams.set("response_type", "code");
  if (!target.searchParams.has("scope")) target.searchParams.set("scope", "openid");
  if (!target.searchParams.has("redirect_uri")) target.searchParams.set("redirect_uri", client.redirectUris[0]!);
  c.header("Cache-Control", "no-store");
  c.header("Referrer-Policy", "no-referrer");
  return c.redirect(target.href, 302);
}
