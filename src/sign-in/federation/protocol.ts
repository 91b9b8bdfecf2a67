// What each protocol module (oauth.ts, oidc.ts, saml.ts) gives routes.ts: how to send the browser
// to the provider, where the provider's answer carries our `state` (RelayState for SAML), and how
// that answer becomes a verified FederatedProfile. Everything else (the state's storage and browser
// binding, the users, the pages and the log) is the shared core's.
import type { IdentityProviderRow } from "../../identity-providers/queries.js";
import type { Brand, Page } from "../pages/layout.js";
import type { Strings } from "../pages/i18n.js";
import type { SignInDeps } from "../provider.js";
import type { SignInContext } from "../request-info.js";
import type { FederatedProfile, FederationMode } from "./profile.js";
import type { ClaimedState } from "./state.js";

export interface BeginInput {
  connection: IdentityProviderRow;
  /** <issuer>/callback/<protocol>/<mode>: the redirect_uri (ACS URL) registered at the provider. */
  callbackUrl: string;
  issuer: string;
  mode: FederationMode;
  state: string;
  nonce: string;
  codeVerifier: string;
  /** The client's login_hint, for a provider that takes one. */
  loginHint: string | undefined;
  /** The browser's strings and the pool's brand, for a protocol that answers with a page of its own (SAML HTTP-POST). */
  t?: Strings;
  brand?: Brand;
}

/**
 * A redirect (OAuth, OIDC, SAML HTTP-Redirect) or a page of our own (SAML HTTP-POST); `payload`
 * is stored with the state and handed back at the callback (a SAML request id, for InResponseTo).
 */
export type BeginResult = ({ redirect: string } | { page: Page }) & { payload?: Record<string, unknown> };

export interface CallbackInput {
  c: SignInContext;
  connection: IdentityProviderRow;
  claimed: ClaimedState;
  callbackUrl: string;
  issuer: string;
}

export interface FederationProtocol {
  /** Throws FederationFailure when the provider cannot be asked (its discovery fails, say). */
  begin(deps: SignInDeps, input: BeginInput): Promise<BeginResult>;
  /**
   * The `state` the answer carries, and whether the browser's cookies come with the callback: a
   * top-level GET does (SameSite=Lax), a cross-site POST does not ("deferred": checked on finish).
   */
  readState(c: SignInContext): Promise<{ state: string | undefined; binding: "cookie" | "deferred" }>;
  /** The provider's answer, verified, as a profile; throws FederationFailure when it is an error or does not verify. */
  complete(deps: SignInDeps, input: CallbackInput): Promise<FederatedProfile>;
}
