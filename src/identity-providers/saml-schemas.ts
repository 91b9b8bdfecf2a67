// The zod schemas of the SAML connection actions: actions.ts builds the API from them and service.ts takes
// its input types from them, never from actions.ts (which imports the service).
import { z } from "zod";
import { requiredText, timeString } from "../core/schemas.js";
import { connectionRef, poolRef, providerOptionsInput } from "./schemas.js";
import * as f from "./upstream-schemas.js";
import { IDP_METADATA_MAX } from "./saml-metadata.js";

export const updatableFields = {
  Name: requiredText(255),
  IdpMetadata: requiredText(IDP_METADATA_MAX).describe(
    `the identity provider's SAML 2.0 metadata XML (one EntityDescriptor, no DOCTYPE, at most ${IDP_METADATA_MAX} characters)`,
  ),
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
  Certificate: z.string().describe('the connection\'s SP certificate (PEM), "" until signing or encryption is first enabled'),
  SpMetadata: z.string().describe("the pool's SAML service-provider metadata for this connection"),
  ProviderOptions: providerOptionsInput.required(),
  AttributeMappings: z.array(f.attributeMappingOutput),
  ClaimsPropagationConfig: f.claimsPropagationOutput,
  ScimProvisioning: f.scimProvisioningOutput,
  EipRecord: f.eipRecordOutput,
  CreateTime: timeString,
  UpdateTime: timeString,
});
