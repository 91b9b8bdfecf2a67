// oidc connections' sign-in: in progress on this branch.
import type { FederationProtocol } from "./protocol.js";

export const oidcProtocol: FederationProtocol | undefined = undefined;
