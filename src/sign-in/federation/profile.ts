// What a provider told us about the person, whatever the protocol: the seam between the protocol
// modules (oauth.ts, oidc.ts, saml.ts), which read and verify the provider's answer, and users.ts,
// which decides who that is in the pool. Nothing here is trusted beyond what the protocol module
// verified: `emailVerified` is true only when the provider said so explicitly.
export type FederationProtocolName = "oauth" | "oidc" | "saml";
export type FederationMode = "login" | "signup";

export interface FederatedProfile {
  connectionUid: string;
  provider: FederationProtocolName;
  /** The person's id at the provider: the IdAttribute's value (OAuth), `sub` (OIDC), the NameID (SAML). */
  subject: string;
  email?: string;
  /** True only when the provider asserted it (OIDC email_verified, or a mapping to EmailVerified). */
  emailVerified?: boolean;
  /** The claims or attributes the provider gave, as they came: the source of AttributeMappings and ClaimsPropagationConfig. */
  claims: Record<string, unknown>;
}

/** Why a federated sign-in stopped; each is a page with a way back (routes.ts), never a 500. */
export type FederationFailureReason =
  | "provider_error"
  | "provider_unavailable"
  | "state"
  | "invalid_response"
  | "email_conflict"
  | "signup_closed"
  | "connection_disabled"
  | "identity_disabled"
  | "user_disabled"
  | "missing_claim";

/**
 * A refusal with the reason the person sees (as a page) and a detail for the log. The detail names
 * what was wrong (a claim's name, an HTTP status, a library's message), never a code or a token.
 */
export class FederationFailure extends Error {
  constructor(
    readonly reason: FederationFailureReason,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = "FederationFailure";
  }
}
