// The SAML connection actions (upstream's Create/Get/Update/Delete IdentityProviderSAML and
// ListIdentityProvidersSAML). IdpMetadata is read and checked (saml-metadata.ts); EnabledSign or
// EnabledEncryption gives the connection a service-provider key pair (sp-keys.ts).
import { z } from "zod";
import { defineAction } from "../core/action.js";
import { requiredText, timeString } from "../core/schemas.js";
import { connectionReadActions, connectionRef, deleteAction, poolRef, providerOptionsInput } from "./actions.js";
import { samlConnectionView } from "./federation-view.js";
import * as f from "./fields.js";
import { IDP_METADATA_MAX } from "./saml-metadata.js";
import * as saml from "./saml-service.js";

const updatableFields = {
  Name: requiredText(255),
  IdpMetadata: requiredText(IDP_METADATA_MAX).describe(`the identity provider's SAML 2.0 metadata XML (one EntityDescriptor, no DOCTYPE, at most ${IDP_METADATA_MAX} characters)`),
  IdAttribute: requiredText(256).describe("the assertion attribute (or NameID) that identifies the user at the identity provider"),
  AttributeMapping: z.string().max(4096).describe("stored as given; AttributeMappings is what maps attributes"),
  Enabled: z.boolean(),
  EnabledSign: z.boolean().describe("sign authentication requests with the connection's SP key (made on first use)"),
  EnabledEncryption: z.boolean().describe("ask for encrypted assertions to the connection's SP key (made on first use)"),
  ProviderOptions: providerOptionsInput,
  AttributeMappings: f.attributeMappings.describe("replaces the whole list on update"),
  ClaimsPropagationConfig: f.claimsPropagationConfig.describe("replaced whole on update"),
  ScimProvisioning: f.scimProvisioning,
  EipId: f.eipId,
};

export const createSamlInput = z.object({
  ...poolRef,
  ...z.object(updatableFields).partial().required({ Name: true, IdpMetadata: true, IdAttribute: true }).shape,
  Provider: z.string().trim().max(64).optional(),
});
export const updateSamlInput = z.object({ ...connectionRef, ...z.object(updatableFields).partial().shape });

export const samlConnectionOutput = z.object({
  Uid: z.string(),
  Name: z.string(),
  Provider: z.string(),
  Enabled: z.boolean(),
  IdpMetadata: z.string(),
  IdAttribute: z.string(),
  AttributeMapping: z.string(),
  EnabledSign: z.boolean(),
  EnabledEncryption: z.boolean(),
  Certificate: z.string().describe("the connection's SP certificate (PEM), \"\" until signing or encryption is first enabled"),
  SpMetadata: z.string().describe("the pool's SAML service-provider metadata for this connection"),
  ProviderOptions: providerOptionsInput.required(),
  AttributeMappings: z.array(f.attributeMappingOutput),
  ClaimsPropagationConfig: f.claimsPropagationOutput,
  ScimProvisioning: f.scimProvisioningOutput,
  EipRecord: f.eipRecordOutput,
  CreateTime: timeString,
  UpdateTime: timeString,
});

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
    handler: ({ UserPoolUid, ConnectionUid, ...fields }, ctx) => saml.updateSamlConnection(ctx.deps, ctx.principal, { UserPoolUid, ConnectionUid }, fields),
  }),
  deleteAction("DeleteIdentityProviderSAML", "SAML", "Deletes a SAML connection and its SP key pair."),
  ...connectionReadActions("SAML", "SAML", samlConnectionOutput, samlConnectionView),
];
