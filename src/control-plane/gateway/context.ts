// The typed Hono environment: what middleware sets on the context and handlers read.
import type { HttpBindings } from "@hono/node-server";
import type { Principal } from "../../access-keys/resolver.js";
import type { AnyAction } from "../../core/action.js";
import type { ParsedAuth } from "./signing/verify.js";
import type { WireRequest } from "./wire.js";

export interface GatewayVariables {
  requestId: string;
  /** Action and Version as the caller sent them, echoed in every envelope. */
  actionName: string;
  version: string;
  action: AnyAction;
  /** the request as received, read once (set by routeAction) */
  wire: WireRequest;
  principal: Principal;
  body: Uint8Array;
  /** the verified credentials: key, X-Date, signature, and the query pairs the signature covers */
  auth: ParsedAuth;
  /** set by the error handler for the request log line */
  errorCode: string;
}

export type GatewayEnv = { Bindings: Partial<HttpBindings>; Variables: GatewayVariables };
