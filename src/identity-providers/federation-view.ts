// The API representations of OIDC and SAML connections, built from a row and the public base URL
// (the pool's endpoints: where SCIM is to be served, the SAML service provider's entity id and
// assertion consumer service). Secrets appear only as the mask; the SP private key never.
import { poolEndpoints } from "../user-pools/endpoints.js";
import { DEFAULT_SCIM_PROVISIONING } from "./upstream-schemas.js";
import type { IdentityProviderRow } from "./queries.js";
import { SAML_BINDINGS } from "./saml-metadata.js";
import { maskedSecret } from "./secret.js";
import { sharedConnectionFields } from "./view.js";

function federatedFields(row: IdentityProviderRow, publicBaseUrl: string) {
  const issuer = poolEndpoints(publicBaseUrl, row.user_pool_uid).IssuerUrl;
  return {
    ...sharedConnectionFields(row),
    ScimProvisioning: {
      ...DEFAULT_SCIM_PROVISIONING,
      ...row.scim_provisioning,
      BaseUrl: `${issuer}/scim/${encodeURIComponent(row.uid)}/v2`,
    },
  };
}

export function oidcConnectionView(row: IdentityProviderRow, publicBaseUrl: string) {
  return {
    ...federatedFields(row, publicBaseUrl),
    Issuer: row.issuer ?? "",
    ClientId: row.client_id,
    ClientSecret: maskedSecret(row),
    IsIdTokenMapping: row.is_id_token_mapping,
    ScopesList: row.scopes_list,
    UsePkce: row.use_pkce,
    SoleProviderConnection: row.sole_provider_connection,
  };
}

const xmlEscaped = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const certificateBase64 = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, "");

/**
 * The pool's service-provider metadata for this connection: the pool's issuer URL as entity id, its
 * SAML login callback as the HTTP-POST assertion consumer service, and the certificate for each use
 * enabled.
 */
function spMetadata(row: IdentityProviderRow, publicBaseUrl: string): string {
  const endpoints = poolEndpoints(publicBaseUrl, row.user_pool_uid);
  const keyFor = (use: string) =>
    `<md:KeyDescriptor use="${use}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificateBase64(row.sp_certificate ?? "")}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
  const keys = row.sp_certificate
    ? [row.enabled_sign && keyFor("signing"), row.enabled_encryption && keyFor("encryption")].filter(Boolean).join("")
    : "";
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${xmlEscaped(endpoints.IssuerUrl)}">` +
    `<md:SPSSODescriptor AuthnRequestsSigned="${row.enabled_sign}" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
    keys +
    `<md:AssertionConsumerService Binding="${SAML_BINDINGS.post}" Location="${xmlEscaped(endpoints.SamlLoginCallbackUrl)}" index="0" isDefault="true"/>` +
    `</md:SPSSODescriptor></md:EntityDescriptor>`
  );
}

export function samlConnectionView(row: IdentityProviderRow, publicBaseUrl: string) {
  return {
    ...federatedFields(row, publicBaseUrl),
    IdpMetadata: row.idp_metadata ?? "",
    IdAttribute: row.id_attribute,
    AttributeMapping: row.attribute_mapping,
    EnabledSign: row.enabled_sign,
    EnabledEncryption: row.enabled_encryption,
    Certificate: row.sp_certificate ?? "",
    SpMetadata: spMetadata(row, publicBaseUrl),
  };
}
