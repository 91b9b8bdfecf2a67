// The OIDC and SAML connection actions, for the registry (src/control-plane/registry.ts).
import { oidcConnectionActions } from "./oidc-actions.js";
import { samlConnectionActions } from "./saml-actions.js";

export const federatedConnectionActions = [...oidcConnectionActions, ...samlConnectionActions];
