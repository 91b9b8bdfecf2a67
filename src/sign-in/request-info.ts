// What sign-in reads about the request's origin. The client address is the socket's: a forwarded
// header is unsigned, and idplane has no trusted-proxy setting yet, so behind a proxy every request
// shares the proxy's address (the per-address throttle then counts the proxy; the per-user one still
// holds). The issuer never comes from a header either: see app.ts.
import type { Context } from "hono";
import type { HttpBindings } from "@hono/node-server";

/** The Hono environment of the sign-in sub-app: Node's raw request and response, and log fields. */
export type SignInEnv = { Bindings: HttpBindings; Variables: { endpoint: string; poolUid: string } };
export type SignInContext = Context<SignInEnv>;

export function clientAddressOf(c: SignInContext): string {
  return c.env?.incoming?.socket?.remoteAddress ?? "";
}
