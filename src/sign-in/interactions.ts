// The hosted pages of one authorization request (oidc-provider's "interactions"): the library
// decides that a person must sign in or consent and sends the browser to
// <issuer>/interaction/<uid>; these handlers show the page, check the form and hand the result back
// with interactionResult, which returns the URL that resumes the request.
//
// Every form carries a CSRF token bound to the interaction: HMAC of its uid under a key derived
// from the pool's private signing key (providers.ts), so it is the same on every instance and
// useless for any other interaction. The interaction itself is found from its cookie, so a form
// posted from another browser has no interaction to act on either.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { InteractionResults } from "oidc-provider";
import { authenticatePassword, recordSignIn } from "../users/sign-in.js";
import { pickStrings, fill, type Strings } from "./pages/i18n.js";
import { consentPage, errorPage, loginPage } from "./pages/forms.js";
import type { Page } from "./pages/layout.js";
import type { PoolProvider } from "./providers.js";
import type { SignInDeps } from "./provider.js";
import { rememberConsent, rememberedScopes } from "./consents.js";
import { loginMethods } from "./self-service/login-methods.js";
import { clientAddressOf, type SignInContext as Ctx } from "./request-info.js";

export const csrfToken = (key: Buffer, uid: string) => createHmac("sha256", key).update(uid).digest("base64url");

function csrfMatches(key: Buffer, uid: string, presented: unknown): boolean {
  if (typeof presented !== "string" || presented.length > 100) return false;
  const expected = Buffer.from(csrfToken(key, uid));
  const got = Buffer.from(presented);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export function sendPage(c: Ctx, page: Page) {
  return c.body(page.body, page.status as 200, page.headers);
}

const stringField = (v: unknown, max: number) => (typeof v === "string" && v.length <= max ? v : undefined);

export function interactionHandlers(deps: SignInDeps) {
  /** The interaction of the cookie, which must be the one in the path; else the "expired" page. */
  async function load(c: Ctx, pp: PoolProvider, uid: string) {
    try {
      const details = await pp.provider.interactionDetails(c.env.incoming, c.env.outgoing);
      return details.uid === uid ? details : undefined;
    } catch {
      return undefined;
    }
  }
  const strings = (c: Ctx) => pickStrings(c.req.header("accept-language"));
  const expired = (c: Ctx, t: Strings, pp: PoolProvider) => sendPage(c, errorPage(t, pp.snapshot.brand, t.errorExpired, 400));
  const paths = (pp: PoolProvider, uid: string) => {
    const base = `${new URL(pp.snapshot.issuer).pathname}/interaction/${encodeURIComponent(uid)}`;
    return { login: `${base}/login`, consent: `${base}/consent`, abort: `${base}/abort` };
  };
  async function clientName(pp: PoolProvider, clientId: unknown) {
    const client = typeof clientId === "string" ? await pp.provider.Client.find(clientId) : undefined;
    return client?.clientName ?? (typeof clientId === "string" ? clientId : "");
  }
  const finish = async (c: Ctx, pp: PoolProvider, result: InteractionResults, merge: boolean) =>
    c.redirect(await pp.provider.interactionResult(c.env.incoming, c.env.outgoing, result, { mergeWithLastSubmission: merge }), 303);

  function renderLogin(
    c: Ctx,
    t: Strings,
    pp: PoolProvider,
    uid: string,
    d: { params: Record<string, unknown> },
    error?: string,
    status = 200,
  ) {
    const p = paths(pp, uid);
    const loginHint = stringField(d.params.login_hint, 320) ?? "";
    // The self-service methods and links (email code, sign-up, forgotten password): src/sign-in/self-service/.
    return Promise.all([clientName(pp, d.params.client_id), loginMethods(deps, t, pp, uid, loginHint)]).then(([name, methods]) =>
      sendPage(
        c,
        loginPage(
          t,
          pp.snapshot.brand,
          {
            action: p.login,
            abortAction: p.abort,
            csrf: csrfToken(pp.csrfKey, uid),
            clientName: name,
            loginHint,
            error,
            passwordEnabled: pp.snapshot.passwordSignInEnabled,
            returnTo: d.params.redirect_uri,
            methods,
          },
          status,
        ),
      ),
    );
  }

  /** Grants what the consent prompt found missing, remembers it for the user and client, and resumes. */
  async function grantConsent(c: Ctx, pp: PoolProvider, d: Awaited<ReturnType<PoolProvider["provider"]["interactionDetails"]>>) {
    const { provider } = pp;
    const accountId = d.session!.accountId;
    const clientId = String(d.params.client_id);
    const grant = d.grantId ? await provider.Grant.find(d.grantId) : new provider.Grant({ accountId, clientId });
    if (!grant) throw new Error("grant of the interaction not found");
    const details = d.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    const granted: string[] = [];
    if (details.missingOIDCScope) {
      grant.addOIDCScope(details.missingOIDCScope.join(" "));
      granted.push(...details.missingOIDCScope);
    }
    if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(" "));
      granted.push(...scopes);
    }
    const grantId = await grant.save();
    await rememberConsent(deps.db, pp.snapshot, accountId, clientId, granted);
    return finish(c, pp, { consent: d.grantId ? {} : { grantId } }, true);
  }

  return {
    async show(c: Ctx, pp: PoolProvider, uid: string) {
      const t = strings(c);
      const d = await load(c, pp, uid);
      if (!d) return expired(c, t, pp);
      if (d.prompt.name === "login") return renderLogin(c, t, pp, uid, d);
      if (d.prompt.name !== "consent" || !d.session) return expired(c, t, pp);
      const clientId = String(d.params.client_id);
      const details = d.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
      const missing = [...(details.missingOIDCScope ?? []), ...Object.values(details.missingResourceScopes ?? {}).flat()];
      const explicit = String(d.params.prompt ?? "")
        .split(" ")
        .includes("consent");
      const record = await pp.provider.Client.find(clientId);
      const skip = record ? pp.skipConsent(clientId) : false;
      if (skip) return grantConsent(c, pp, d);
      if (!explicit) {
        const remembered = await rememberedScopes(deps.db, pp.snapshot, d.session.accountId, clientId);
        if (missing.every((s) => remembered.has(s))) return grantConsent(c, pp, d);
      }
      const p = paths(pp, uid);
      return sendPage(
        c,
        consentPage(t, pp.snapshot.brand, {
          action: p.consent,
          abortAction: p.abort,
          csrf: csrfToken(pp.csrfKey, uid),
          clientName: await clientName(pp, clientId),
          scopes: missing.filter((s) => s !== "openid").length ? missing : ["openid"],
          returnTo: d.params.redirect_uri,
        }),
      );
    },

    async login(c: Ctx, pp: PoolProvider, uid: string) {
      const t = strings(c);
      const d = await load(c, pp, uid);
      if (!d || d.prompt.name !== "login") return expired(c, t, pp);
      const form = await c.req.parseBody();
      if (!csrfMatches(pp.csrfKey, uid, form.csrf)) return sendPage(c, errorPage(t, pp.snapshot.brand, t.errorExpired, 403));
      const identifier = stringField(form.identifier, 320) ?? "";
      const password = stringField(form.password, 256) ?? "";
      if (!pp.snapshot.passwordSignInEnabled) return renderLogin(c, t, pp, uid, d, t.passwordDisabled, 403);
      const result = await authenticatePassword(deps, {
        accountId: pp.snapshot.accountId,
        poolUid: pp.snapshot.poolUid,
        identifier,
        password,
        clientAddress: clientAddressOf(c),
      });
      if (!result.ok) {
        if (result.reason === "throttled") {
          const seconds = String(result.retryAfterSeconds ?? 60);
          c.header("Retry-After", seconds);
          return renderLogin(c, t, pp, uid, { params: { ...d.params, login_hint: identifier } }, fill(t.throttled, { seconds }), 429);
        }
        return renderLogin(c, t, pp, uid, { params: { ...d.params, login_hint: identifier } }, t.invalid, 401);
      }
      await recordSignIn(deps, {
        accountId: pp.snapshot.accountId,
        poolUid: pp.snapshot.poolUid,
        userUid: result.user.uid,
        method: "password",
        userAgent: (c.req.header("user-agent") ?? "").slice(0, 512),
      });
      return finish(c, pp, { login: { accountId: result.user.uid, amr: ["pwd"], remember: true } }, false);
    },

    async consent(c: Ctx, pp: PoolProvider, uid: string) {
      const t = strings(c);
      const d = await load(c, pp, uid);
      if (!d || d.prompt.name !== "consent" || !d.session) return expired(c, t, pp);
      const form = await c.req.parseBody();
      if (!csrfMatches(pp.csrfKey, uid, form.csrf)) return sendPage(c, errorPage(t, pp.snapshot.brand, t.errorExpired, 403));
      return grantConsent(c, pp, d);
    },

    async abort(c: Ctx, pp: PoolProvider, uid: string) {
      const t = strings(c);
      const d = await load(c, pp, uid);
      if (!d) return expired(c, t, pp);
      const form = await c.req.parseBody();
      if (!csrfMatches(pp.csrfKey, uid, form.csrf)) return sendPage(c, errorPage(t, pp.snapshot.brand, t.errorExpired, 403));
      return finish(c, pp, { error: "access_denied", error_description: "End-User aborted interaction" }, false);
    },
  };
}
