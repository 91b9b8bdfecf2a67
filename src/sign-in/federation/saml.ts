// SAML connections' sign-in: not served yet (the SAML branch replaces this file with its
// FederationProtocol). routes.ts answers a "not available" page while this is undefined.
import type { FederationProtocol } from "./protocol.js";

export const samlProtocol: FederationProtocol | undefined = undefined;
