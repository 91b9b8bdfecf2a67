// Email one-time-code sign-in (EmailPasswordlessSignInEnabled): the login page's email-code form
// posts here; a code is mailed when the address belongs to an ACTIVE native user of the pool, and
// the code page (verify.ts) follows either way. An unknown, disabled or federated address gets a
// code row for no one and the same page: no answer says whether the address is registered.
import { isPlainEmail } from "../../core/email.js";
import { findUserByEmail } from "../../users/queries.js";
import type { SignInDeps } from "../provider.js";
import type { PoolProvider } from "../providers.js";
import { clientAddressOf, type SignInContext as Ctx } from "../request-info.js";
import { issueCode } from "./codes.js";
import { codeKey, csrfFor, csrfOk, languages, loadInteraction, paths, readForm, returnTargets, send } from "./context.js";
import { FLOOD, floodKey, withinFlood } from "./flood.js";
import { codeMail } from "./mail.js";
import { queueMail } from "./mailer.js";
import { codePage, noticePage } from "./pages.js";
import { selfServiceSettings } from "./settings.js";
import { afterAnswer } from "./later.js";

export function otpHandlers(deps: SignInDeps) {
  return {
    async request(c: Ctx, pp: PoolProvider, uid: string) {
      const d = await loadInteraction(c, pp, uid);
      if (!d) return undefined;
      const form = await readForm(c);
      if (!form || !csrfOk(pp, uid, form.csrf)) return undefined;
      const { t, s } = languages(c);
      const { accountId, poolUid, brand } = pp.snapshot;
      const pool = { accountId, poolUid };
      const p = paths(pp, uid);
      const back = { href: p.login, text: s.haveAccount };
      const st = await selfServiceSettings(deps.db, accountId, poolUid);
      if (!st?.emailPasswordless) return send(c, noticePage(t, brand, s.otpTitle, s.otpOff, back, 403));
      if (!st.mail) return send(c, noticePage(t, brand, s.otpTitle, s.mailOff, back, 503));
      const email = (form.email ?? "").trim();
      if (!isPlainEmail(email)) return send(c, noticePage(t, brand, s.otpTitle, `${s.email}: name@example.com`, back, 400));
      const now = deps.clock.now();
      const client = await withinFlood(deps.db, pool, "client_send", floodKey.client(clientAddressOf(c)), FLOOD.sendsPerClient, now);
      const target = client && (await withinFlood(deps.db, pool, "mail_to", floodKey.address(email), FLOOD.mailsPerAddress, now));
      if (!client || !target) return send(c, noticePage(t, brand, s.otpTitle, s.tooMany, back, 429));
      const user = await findUserByEmail(deps.db, accountId, poolUid, email);
      const owner = user && user.user_state === "ACTIVE" ? user : undefined;
      const code = await issueCode(
        deps.db,
        { accountId, poolUid, purpose: "sign_in", interactionUid: uid, key: codeKey(pp) },
        owner?.uid ?? null,
        now,
      );
      // Queued after the answer, so a registered address is not answered later than an unknown one.
      const recipient = owner?.email;
      if (recipient)
        afterAnswer(deps, "sign_in_code", () =>
          queueMail(deps.db, pool, "sign_in_code", recipient, codeMail(s, t.lang, brand, st.poolName, "sign_in", code.code), now),
        );
      return send(
        c,
        codePage(t, s, brand, {
          action: `${p.verify}?purpose=sign_in`,
          resendAction: `${p.resend}?purpose=sign_in`,
          csrf: csrfFor(pp, uid),
          codeId: code.id,
          address: email,
          backHref: p.login,
          returnTo: returnTargets(d),
        }),
      );
    },
  };
}
