// The one server's two audiences (docs/architecture.md, "Two audiences"): the signed API
// (src/control-plane/app.ts) and sign-in (src/sign-in/app.ts), each with its own errors, log fields
// and limits. A request goes to sign-in when its path is a pool's (<base path>/userpool/... or the
// RFC 8414 metadata path, src/user-pools/endpoints.ts), else to the signed API: one string
// comparison, before either app runs, so the signed path pays nothing for sign-in's routing.
// ID_SERVE=api or sign-in runs an instance with one audience; the other's paths answer 404 there.
// Sign-in's code (oidc-provider's glue, SAML, the pages) is loaded on the first sign-in request, not at
// start: an instance serving only the signed API never holds it (3-4 MB of V8 heap, bench/REPORT.md).
import { createApp as createControlPlane, type AppOptions } from "./control-plane/app.js";
import type { AppDeps } from "./deps.js";
import { oauthMetadataPrefix, poolPathPrefix } from "./user-pools/endpoints.js";

// env is @hono/node-server's bindings (HTTP/1 here: the server is created with node:http); typed
// loosely because serve() offers HTTP/2 bindings too, which neither sub-app is given.
// biome-ignore lint/suspicious/noExplicitAny: see above
export type ServerFetch = (request: Request, env?: any) => Response | Promise<Response>;

const notServed = () =>
  new Response(JSON.stringify({ error: "invalid_request", error_description: "not served by this instance" }), {
    status: 404,
    headers: { "Content-Type": "application/json" },
  });

export function createServerApp(deps: AppDeps, opts: AppOptions = {}): { fetch: ServerFetch } {
  const serve = deps.config.serve;
  const api = serve === "sign-in" ? undefined : createControlPlane(deps, opts);
  let signIn: Promise<{ fetch: ServerFetch }> | undefined;
  // A failed load is not kept: the next sign-in request tries again rather than failing for good.
  const signInApp = () =>
    (signIn ??= import("./sign-in/app.js")
      .then((m) => m.createSignInApp(deps))
      .catch((err: unknown) => {
        signIn = undefined;
        throw err;
      }));
  // An instance serving sign-in alone loads it now: its first request should not wait for it.
  if (serve === "sign-in") void signInApp();
  const poolPrefix = poolPathPrefix(deps.config.publicBaseUrl);
  const metadataPrefix = oauthMetadataPrefix(deps.config.publicBaseUrl);
  return {
    fetch(request, env) {
      // The path starts after "scheme://authority": the first "/" past the "//".
      const url = request.url;
      const pathStart = url.indexOf("/", url.indexOf("//") + 2);
      const isSignIn = pathStart !== -1 && (url.startsWith(poolPrefix, pathStart) || url.startsWith(metadataPrefix, pathStart));
      if (isSignIn) return serve === "api" ? notServed() : signInApp().then((app) => app.fetch(request, env));
      return api ? api.fetch(request, env) : notServed();
    },
  };
}
