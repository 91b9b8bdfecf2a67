// Forgotten password (SelfAccountRecoveryEnabled, with email among
// SelfAccountRecoveryVerificationAttributes). The hosted page starts the ResetPassword flow of
// src/password-reset/ (the same single-use token, the same per-user and per-address mail limits,
// the same checks), with the mail in the page's language and the pool's brand. Its link goes to the
// pool's ResetPasswordUrl, or, when the pool has none, to the hosted page below, which completes the
// reset as CompletePasswordReset does (and so ends the user's sessions and refresh tokens).
//
// Every address gets the same answer: an unknown, disabled or federated one, one over the reset mail
// limits, all read "if an account uses this address, a link is on its way".
import { ApiError } from "../../core/errors.js";
import { isPlainEmail } from "../../core/email.js";
import { completePasswordReset, hashToken, startPasswordReset } from "../../password-reset/service.js";
import { findUsableToken } from "../../password-reset/queries.js";
import { fill } from "../pages/i18n.js";
import type { SignInDeps } from "../provider.js";
import type { PoolProvider } from "../providers.js";
import { clientAddressOf, type SignInContext as Ctx } from "../request-info.js";
import { csrfFor, csrfOk, languages, loadInteraction, paths, readForm, send } from "./context.js";
import { FLOOD, floodKey, withinFlood } from "./flood.js";
import { resetMail } from "./mail.js";
import { forgotPage, noticePage, resetPage } from "./pages.js";
import { selfServiceSettings } from "./settings.js";
import { afterAnswer } from "./later.js";

const MAX_TOKEN = 512;

export function recoveryHandlers(deps: SignInDeps) {
  async function start(c: Ctx, pp: PoolProvider, uid: string) {
    const d = await loadInteraction(c, pp, uid);
    if (!d) return undefined;
    const { t, s } = languages(c);
    const p = paths(pp, uid);
    const st = await selfServiceSettings(deps.db, pp.snapshot.accountId, pp.snapshot.poolUid);
    const back = { href: p.login, text: s.haveAccount };
    const brand = pp.snapshot.brand;
    if (!st?.recovery || !st.recoveryByEmail) return { refused: send(c, noticePage(t, brand, s.forgotTitle, s.forgotOff, back, 403)) };
    if (!st.mail) return { refused: send(c, noticePage(t, brand, s.forgotTitle, s.mailOff, back, 503)) };
    return { t, s, p, st, back, brand };
  }

  return {
    async show(c: Ctx, pp: PoolProvider, uid: string) {
      const x = await start(c, pp, uid);
      if (!x) return undefined;
      if ("refused" in x) return x.refused;
      return send(c, forgotPage(x.t, x.s, x.brand, { action: x.p.forgot, csrf: csrfFor(pp, uid), backHref: x.p.login }));
    },

    async submit(c: Ctx, pp: PoolProvider, uid: string) {
      const x = await start(c, pp, uid);
      if (!x) return undefined;
      if ("refused" in x) return x.refused;
      const { t, s, p, st, back, brand } = x;
      const form = await readForm(c);
      if (!form || !csrfOk(pp, uid, form.csrf)) return undefined;
      const email = (form.email ?? "").trim();
      const again = (error: string, status: number) =>
        send(c, forgotPage(t, s, brand, { action: p.forgot, csrf: csrfFor(pp, uid), backHref: p.login, error }, status));
      if (!isPlainEmail(email)) return again(fill(s.fieldInvalid, { field: s.email, reason: "name@example.com" }), 400);
      const { accountId, poolUid, issuer } = pp.snapshot;
      const pool = { accountId, poolUid };
      const now = deps.clock.now();
      const client = await withinFlood(deps.db, pool, "client_send", floodKey.client(clientAddressOf(c)), FLOOD.sendsPerClient, now);
      const target = client && (await withinFlood(deps.db, pool, "mail_to", floodKey.address(email), FLOOD.mailsPerAddress, now));
      if (!client || !target) return again(s.tooMany, 429);
      // After the answer: whether a user was found, and how much work that made, shows in no timing.
      afterAnswer(deps, "password_reset", async () => {
        try {
          await startPasswordReset(
            deps,
            accountId,
            poolUid,
            { Email: email },
            { hostedUrl: `${issuer}/reset-password`, mail: (link, expiresAt) => resetMail(s, t.lang, brand, st.poolName, link, expiresAt) },
          );
        } catch (err) {
          // NotFound, a disabled or federated user, the reset mail limits: the page reads the same.
          if (!(err instanceof ApiError)) throw err;
        }
      });
      return send(c, noticePage(t, brand, s.forgotTitle, fill(s.forgotSent, { address: email }), back));
    },

    /** The hosted reset page: the link of the mail (`?token=`), when the pool has no ResetPasswordUrl. */
    async showReset(c: Ctx, pp: PoolProvider) {
      const { t, s } = languages(c);
      const token = (c.req.query("token") ?? "").slice(0, MAX_TOKEN);
      const { accountId, poolUid, brand } = pp.snapshot;
      const st = await selfServiceSettings(deps.db, accountId, poolUid);
      const usable = token && (await findUsableToken(deps.db, { accountId, poolUid, tokenHash: hashToken(token) }, deps.clock.now()));
      if (!st || !usable) return send(c, noticePage(t, brand, s.resetTitle, s.resetInvalid, undefined, 400));
      return send(
        c,
        resetPage(t, s, brand, { action: paths(pp, "_").reset, csrf: csrfFor(pp, `reset:${token}`), token, policy: st.passwordPolicy }),
      );
    },

    async completeReset(c: Ctx, pp: PoolProvider) {
      const { t, s } = languages(c);
      const { accountId, poolUid, brand } = pp.snapshot;
      const form = await readForm(c);
      const token = (form?.token ?? "").slice(0, MAX_TOKEN);
      // The token is the secret; the CSRF token binds the form to it, so no other site can post one.
      if (!form || !token || !csrfOk(pp, `reset:${token}`, form.csrf))
        return send(c, noticePage(t, brand, s.resetTitle, s.resetInvalid, undefined, 400));
      const st = await selfServiceSettings(deps.db, accountId, poolUid);
      if (!st) return send(c, noticePage(t, brand, s.resetTitle, s.resetInvalid, undefined, 400));
      const password = form.password ?? "";
      try {
        await completePasswordReset(deps, accountId, poolUid, token, password);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (err.code === "InvalidParameter.NewPassword") {
          const error = fill(s.fieldInvalid, { field: s.newPassword, reason: err.message });
          return send(
            c,
            resetPage(
              t,
              s,
              brand,
              { action: paths(pp, "_").reset, csrf: csrfFor(pp, `reset:${token}`), token, policy: st.passwordPolicy, error },
              400,
            ),
          );
        }
        return send(c, noticePage(t, brand, s.resetTitle, s.resetInvalid, undefined, 400));
      }
      return send(c, noticePage(t, brand, s.resetTitle, s.resetDone));
    },
  };
}
