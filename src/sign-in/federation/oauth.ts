// oauth connections' sign-in: in progress on this branch.
import type { FederationProtocol } from "./protocol.js";

export const oauthProtocol: FederationProtocol | undefined = undefined;
