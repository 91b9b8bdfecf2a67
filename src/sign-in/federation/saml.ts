// Sign-in through a pool's SAML connection: SP-initiated Web SSO (SAML 2.0 Profiles §4.1), as
// routes.ts's FederationProtocol (samlProtocol, at the end).
//
// start   builds the AuthnRequest with @node-saml/node-saml (signed with the connection's SP key when
//         EnabledSign) for the IdP's HTTP-Redirect endpoint, or its HTTP-POST one when that is the
//         only one; the request's ID goes into the federation state (state.ts) with the RelayState.
// finish  reads the Response posted to the assertion consumer service. node-saml verifies the
//         assertion's signature with the connection's certificates (an unsigned assertion, or one
//         whose signature covers another element, is refused), decrypts an EncryptedAssertion with
//         the SP key, and checks the audience, the time conditions with a small skew and InResponseTo.
//         idplane's own checks run before and after it (saml-checks.ts), then the assertion's id
//         must not have been accepted before on any instance (saml-replay.ts).
// Each refusal is a FederationFailure whose detail names what was wrong, never the assertion.
import { SAML, SamlStatusError, ValidateInResponseTo, type CacheProvider, type Profile, type SamlConfig } from "@node-saml/node-saml";
import type { IdentityProviderRow } from "../../identity-providers/queries.js";
import { idpSigningCertificates, SAML_BINDINGS } from "../../identity-providers/saml-metadata.js";
import { openSpPrivateKey } from "../../identity-providers/sp-keys.js";
import { ENDPOINT_PATHS, poolEndpoints } from "../../user-pools/endpoints.js";
import type { SignInDeps } from "../provider.js";
import { html, layout, type Brand, type Page } from "../pages/layout.js";
import { fill, pickStrings, type Strings } from "../pages/i18n.js";
import { mappedAttributes } from "./mapping.js";
import { FederationFailure, type FederatedProfile, type FederationMode } from "./profile.js";
import type { FederationProtocol } from "./protocol.js";
import { acceptableUntil, checkAssertion, checkDocument, fail, type XmlJs } from "./saml-checks.js";
import { rememberAssertion } from "./saml-replay.js";

type Deps = Pick<SignInDeps, "db" | "clock" | "config" | "secretBox">;

/** How far the IdP's clock may be from ours for NotBefore and NotOnOrAfter. */
export const SAML_CLOCK_SKEW_MS = 60_000;
/** The largest SAMLResponse form field read (base64): a signed, encrypted response with a few certificates is tens of KiB. */
export const SAML_RESPONSE_MAX = 256 * 1024;
/** How long an AuthnRequest may wait for its answer: the federation state's lifetime (state.ts). */
const REQUEST_LIFETIME_MS = 600_000;

const EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
/** Attribute names IdPs use for the e-mail address (plain, LDAP's mail by OID, ADFS/Entra's claim URI). */
const EMAIL_ATTRIBUTES = [
  "email",
  "mail",
  "emailAddress",
  "urn:oid:0.9.2342.19200300.100.1.3",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
];

/** The SP's entity id (and the assertions' audience): the pool's issuer URL, as SpMetadata advertises it. */
export const spEntityId = (deps: Pick<Deps, "config">, poolUid: string) => poolEndpoints(deps.config.publicBaseUrl, poolUid).IssuerUrl;

/** The assertion consumer service of `mode` under the issuer the browser uses. */
export const acsUrl = (issuer: string, mode: FederationMode) => `${issuer}${ENDPOINT_PATHS.callback}/saml/${mode}`;

interface SamlContext {
  connection: IdentityProviderRow;
  /** The issuer the browser is on (the public base URL's or the pool's custom domain). */
  issuer: string;
  mode: FederationMode;
}

/** The IdP's single sign-on endpoint: HTTP-Redirect when offered, else HTTP-POST. */
function ssoEndpoint(connection: IdentityProviderRow) {
  const services = connection.saml_idp?.SingleSignOnServices ?? [];
  return services.find((s) => s.Binding === SAML_BINDINGS.redirect) ?? services.find((s) => s.Binding === SAML_BINDINGS.post);
}

/** node-saml's request-id store, for one request: the id the state holds is the only valid InResponseTo. */
function oneRequest(expected?: { id: string; createdAt: Date }): CacheProvider & { saved?: string } {
  const store: CacheProvider & { saved?: string } = {
    async saveAsync(key, value) {
      store.saved = key;
      return { value, createdAt: Date.now() };
    },
    async getAsync(key) {
      return expected && key === expected.id ? expected.createdAt.toISOString() : null;
    },
    async removeAsync() {
      return null;
    },
  };
  return store;
}

function samlFor(deps: Deps, ctx: SamlContext, extra: Partial<SamlConfig>): SAML {
  const { connection } = ctx;
  const entityId = spEntityId(deps, connection.user_pool_uid);
  return new SAML({
    issuer: entityId,
    audience: entityId,
    callbackUrl: acsUrl(ctx.issuer, ctx.mode),
    entryPoint: ssoEndpoint(connection)?.Location,
    idpCert: idpSigningCertificates(connection.idp_metadata ?? ""),
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    acceptedClockSkewMs: SAML_CLOCK_SKEW_MS,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: REQUEST_LIFETIME_MS,
    signatureAlgorithm: "sha256",
    digestAlgorithm: "sha256",
    // Let the IdP choose the NameID format and how the person authenticates (MFA included).
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    ...extra,
  });
}

export interface SamlStart {
  /** The AuthnRequest's ID: keep it with the state; finish requires it as InResponseTo. */
  requestId: string;
  /** HTTP-Redirect binding: where to send the browser. */
  redirect?: string;
  /** HTTP-POST binding: the page that posts the request to the IdP. */
  page?: Page;
}

/**
 * The AuthnRequest of a sign-in through `connection`, with `relayState` (the federation state) as
 * RelayState. `page` gives the strings and brand of the POST binding's page.
 */
export async function startSamlSignIn(
  deps: Deps,
  ctx: SamlContext & { relayState: string; page: { t: Strings; brand: Brand; label: string } },
): Promise<SamlStart> {
  const endpoint = ssoEndpoint(ctx.connection);
  if (!endpoint) throw new FederationFailure("provider_unavailable", "the IdP metadata has no usable SingleSignOnService");
  const signingKey = ctx.connection.enabled_sign ? openSpPrivateKey(deps.secretBox, ctx.connection) : undefined;
  const requests = oneRequest();
  const post = endpoint.Binding === SAML_BINDINGS.post;
  const saml = samlFor(deps, ctx, {
    cacheProvider: requests,
    ...(signingKey && { privateKey: signingKey }),
    // The HTTP-POST binding carries the request base64-encoded, not deflated (SAML Bindings §3.5.4).
    skipRequestCompression: post,
  });
  if (!post) {
    const redirect = await saml.getAuthorizeUrlAsync(ctx.relayState, undefined, {});
    return { requestId: requests.saved!, redirect };
  }
  const message = await saml.getAuthorizeMessageAsync(ctx.relayState);
  return { requestId: requests.saved!, page: postPage(ctx.page, endpoint.Location, message as Record<string, string>) };
}

/** The HTTP-POST binding without script (the hosted pages' CSP allows none): one button posts the request. */
function postPage(p: { t: Strings; brand: Brand; label: string }, action: string, fields: Record<string, string>): Page {
  const inputs = Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  return layout(
    p.t,
    p.t.signInTitle,
    p.brand,
    html`<h1>${p.label}</h1>
<form method="post" action="${action}">${inputs}<button type="submit">${p.label}</button></form>`,
    200,
    [new URL(action).origin],
  );
}

/** The SAMLResponse and RelayState of the ACS's form, or undefined when they are missing or too large. */
export function acsForm(form: Record<string, unknown>): { samlResponse: string; relayState: string } | undefined {
  const { SAMLResponse: samlResponse, RelayState: relayState } = form;
  if (typeof samlResponse !== "string" || samlResponse.length === 0 || samlResponse.length > SAML_RESPONSE_MAX) return undefined;
  if (typeof relayState !== "string" || relayState.length === 0 || relayState.length > 512) return undefined;
  return { samlResponse, relayState };
}

const scalar = (v: unknown): string | undefined =>
  typeof v === "string" ? v : Array.isArray(v) && typeof v[0] === "string" ? (v[0] as string) : undefined;

/** The profile of a verified assertion: subject by IdAttribute ("NameID" or an attribute), attributes as claims. */
function profileOf(connection: IdentityProviderRow, p: Profile): FederatedProfile {
  const attributes = (p.attributes ?? {}) as Record<string, unknown>;
  const idAttribute = connection.id_attribute.trim();
  const byNameId = idAttribute === "" || idAttribute.toLowerCase() === "nameid";
  const subject = byNameId ? p.nameID : scalar(attributes[idAttribute]);
  if (!subject) throw new FederationFailure("missing_claim", `the assertion has no ${byNameId ? "NameID" : `attribute ${idAttribute}`}`);
  const email =
    EMAIL_ATTRIBUTES.map((name) => scalar(attributes[name])).find(Boolean) ?? (p.nameIDFormat === EMAIL_FORMAT ? p.nameID : undefined);
  const claims: Record<string, unknown> = {
    ...attributes,
    // The address under the OpenID name too, so the standard mappings (no AttributeMappings) find it.
    ...(email && attributes.email === undefined && { email }),
    NameID: p.nameID,
    ...(p.nameIDFormat && { NameIDFormat: p.nameIDFormat }),
    ...(p.sessionIndex && { SessionIndex: p.sessionIndex }),
  };
  // SAML has no standard "verified" flag: verified only when the IdP says so in an attribute the
  // connection maps to EmailVerified (or email_verified, with no mappings).
  const emailVerified = email !== undefined && mappedAttributes(connection.attribute_mappings, claims).EmailVerified === true;
  return {
    connectionUid: connection.uid,
    provider: "saml",
    subject,
    ...(email && { email }),
    ...(emailVerified && { emailVerified }),
    claims,
  };
}

/**
 * Verifies the Response posted to the ACS for the sign-in whose AuthnRequest was `requestId`, and
 * returns who signed in. Throws FederationFailure: provider_error when the IdP answered with an
 * error status, invalid_response for every refusal, missing_claim when IdAttribute is absent.
 */
export async function finishSamlSignIn(
  deps: Deps,
  ctx: SamlContext & { samlResponse: string; requestId: string; requestedAt?: Date },
): Promise<FederatedProfile> {
  const { connection } = ctx;
  const acs = acsUrl(ctx.issuer, ctx.mode);
  if (!/^[A-Za-z0-9+/=\s]+$/.test(ctx.samlResponse)) throw fail("SAMLResponse is not base64");
  const xml = Buffer.from(ctx.samlResponse, "base64").toString("utf8");
  checkDocument(xml, acs, connection.enabled_encryption);
  const decryptionPvk = connection.enabled_encryption ? openSpPrivateKey(deps.secretBox, connection) : undefined;
  const saml = samlFor(deps, ctx, {
    cacheProvider: oneRequest({ id: ctx.requestId, createdAt: ctx.requestedAt ?? deps.clock.now() }),
    ...(decryptionPvk && { decryptionPvk }),
  });
  let profile: Profile | null;
  try {
    ({ profile } = await saml.validatePostResponseAsync({ SAMLResponse: ctx.samlResponse }));
  } catch (err) {
    if (err instanceof SamlStatusError) throw new FederationFailure("provider_error", err.message.slice(0, 200));
    // node-saml's messages name the check that failed ("Invalid signature", "SAML assertion expired"),
    // never the assertion's content.
    throw fail(String((err as Error).message ?? err).slice(0, 200));
  }
  if (!profile) throw fail("the response holds no assertion");
  const assertion = (profile.getAssertion?.() as { Assertion?: XmlJs } | undefined)?.Assertion;
  if (!assertion) throw fail("the response holds no assertion");
  checkAssertion(assertion, { idpEntityId: connection.saml_idp?.EntityId ?? "", acs, requestId: ctx.requestId });
  const assertionId = assertion.$?.ID;
  if (!assertionId) throw fail("the assertion has no ID");
  const fresh = await rememberAssertion(
    deps.db,
    { accountId: connection.account_id, poolUid: connection.user_pool_uid, connectionUid: connection.uid, assertionId },
    deps.clock.now(),
    acceptableUntil(assertion, SAML_CLOCK_SKEW_MS),
  );
  if (!fresh) throw fail("the assertion was already used");
  return profileOf(connection, profile);
}

/** routes.ts's view of SAML: RelayState is the state; the ACS is reached by a cross-site POST. */
export const samlProtocol: FederationProtocol = {
  async begin(deps, input) {
    const t = input.t ?? pickStrings(undefined);
    const started = await startSamlSignIn(deps, {
      connection: input.connection,
      issuer: input.issuer,
      mode: input.mode,
      relayState: input.state,
      page: { t, brand: input.brand ?? { name: "", logoUri: "" }, label: fill(t.signInWith, { name: input.connection.name }) },
    });
    const payload = { samlRequestId: started.requestId, samlRequestedAt: deps.clock.now().toISOString() };
    return started.redirect ? { redirect: started.redirect, payload } : { page: started.page!, payload };
  },

  async readState(c) {
    // The IdP's form arrives by a cross-site POST, which carries no SameSite=Lax cookie: the
    // browser is checked when it comes back to its interaction (state.ts finish).
    if (c.req.method !== "POST") return { state: undefined, binding: "deferred" };
    const form = acsForm(await c.req.parseBody());
    return { state: form?.relayState, binding: "deferred" };
  },

  async complete(deps, input) {
    const form = input.c.req.method === "POST" ? acsForm(await input.c.req.parseBody()) : undefined;
    if (!form) throw fail("the ACS form has no SAMLResponse within the size bound");
    const requestId = input.claimed.payload.samlRequestId;
    const requestedAt = input.claimed.payload.samlRequestedAt;
    if (typeof requestId !== "string" || requestId === "") throw new FederationFailure("state", "the state holds no SAML request id");
    return finishSamlSignIn(deps, {
      connection: input.connection,
      issuer: input.issuer,
      mode: input.claimed.mode,
      samlResponse: form.samlResponse,
      requestId,
      ...(typeof requestedAt === "string" && { requestedAt: new Date(requestedAt) }),
    });
  },
};
