import { defineAction } from "../core/action.js";
import { connectionReadActions, deleteAction } from "./actions.js";
import { samlConnectionView } from "./federation-view.js";
import * as saml from "./saml-service.js";
import { createSamlInput, updateSamlInput, samlConnectionOutput } from "./saml-schemas.js";

export const samlConnectionActions = [
  defineAction({
    name: "CreateIdentityProviderSAML",
    access: "write",
    errors: ["NotFound", "Duplicated", "QuotaExceeded"],
    summary:
      "Creates a SAML 2.0 connection from the identity provider's metadata (entity id, SSO endpoints, signing certificates, each checked); " +
      "EnabledSign or EnabledEncryption gives it an SP key pair whose certificate is returned, the private key stored encrypted.",
    input: createSamlInput,
    output: samlConnectionOutput,
    handler: ({ UserPoolUid, ...fields }, ctx) => saml.createSamlConnection(ctx.deps, ctx.principal, UserPoolUid, fields),
  }),
  defineAction({
    name: "UpdateIdentityProviderSAML",
    access: "write",
    errors: ["NotFound", "Duplicated"],
    summary:
      "Changes the given fields of a SAML connection; new IdpMetadata is read and checked as on create; " +
      "ProviderOptions and ScimProvisioning merge field by field; the SP key pair is made when signing or encryption is first enabled and kept after.",
    input: updateSamlInput,
    output: samlConnectionOutput,
    handler: ({ UserPoolUid, ConnectionUid, ...fields }, ctx) =>
      saml.updateSamlConnection(ctx.deps, ctx.principal, { UserPoolUid, ConnectionUid }, fields),
  }),
  deleteAction("DeleteIdentityProviderSAML", "SAML", "Deletes a SAML connection and its SP key pair."),
  ...connectionReadActions("SAML", "SAML", samlConnectionOutput, samlConnectionView),
];
