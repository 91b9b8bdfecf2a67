import { defineAction } from "../core/action.js";
import { connectionReadActions, deleteAction } from "./actions.js";
import { oidcConnectionView } from "./federation-view.js";
import * as oidc from "./oidc-service.js";
import { createOidcInput, updateOidcInput, oidcConnectionOutput, discoveryErrors } from "./oidc-schemas.js";

export const oidcConnectionActions = [
  defineAction({
    name: "CreateIdentityProviderOIDC",
    access: "write",
    errors: [...discoveryErrors, "QuotaExceeded"],
    summary:
      "Creates an OpenID Connect connection: the issuer's discovery document is fetched (https, guarded) and must name the same issuer, " +
      "authorization_endpoint, token_endpoint and jwks_uri; ClientSecret is stored encrypted.",
    input: createOidcInput,
    output: oidcConnectionOutput,
    handler: ({ UserPoolUid, ...fields }, ctx) => oidc.createOidcConnection(ctx.deps, ctx.accountId, UserPoolUid, fields),
  }),
  defineAction({
    name: "UpdateIdentityProviderOIDC",
    access: "write",
    errors: discoveryErrors,
    summary:
      "Changes the given fields of an OIDC connection; a changed Issuer is discovered again before it is stored; " +
      "ProviderOptions and ScimProvisioning merge field by field; the secret changes only with a non-empty ClientSecret.",
    input: updateOidcInput,
    output: oidcConnectionOutput,
    handler: ({ UserPoolUid, ConnectionUid, ...fields }, ctx) =>
      oidc.updateOidcConnection(ctx.deps, ctx.accountId, { UserPoolUid, ConnectionUid }, fields),
  }),
  deleteAction("DeleteIdentityProviderOIDC", "OIDC", "Deletes an OIDC connection."),
  ...connectionReadActions("OIDC", "OIDC", oidcConnectionOutput, oidcConnectionView),
];
