// The code page's two forms: the code itself (sign-up verification or email-code sign-in) and
// "send a new code". A right code signs the person in (and, for a sign-up, marks the address
// verified; an email-code sign-in proves the address too); a wrong one is counted (codes.ts) and the
// page asks again. A new code replaces the old one (which stops working) and goes to the same
// person, within the flood limits; a code for no one is replaced by another code for no one.
import { sql } from "kysely";
import { findUser } from "../../users/queries.js";
import { recordSignIn } from "../../users/sign-in.js";
import { fill } from "../pages/i18n.js";
import type { SignInDeps } from "../provider.js";
import type { PoolProvider } from "../providers.js";
import { clientAddressOf, type SignInContext as Ctx } from "../request-info.js";
import { checkCode, codeOwner, issueCode, type CodeScope } from "./codes.js";
import { codeKey, csrfFor, csrfOk, finishLogin, languages, loadInteraction, paths, readForm, returnTargets, send } from "./context.js";
import { FLOOD, floodKey, withinFlood } from "./flood.js";
import { codeMail } from "./mail.js";
import { queueMail } from "./mailer.js";
import { codePage, noticePage } from "./pages.js";
import { selfServiceSettings } from "./settings.js";
import type { CodePurpose } from "./tables.js";

const purposeOf = (c: Ctx): CodePurpose | undefined => {
  const p = c.req.query("purpose");
  return p === "sign_up" || p === "sign_in" ? p : undefined;
};

export function verifyHandlers(deps: SignInDeps) {
  async function prepare(c: Ctx, pp: PoolProvider, uid: string) {
    const purpose = purposeOf(c);
    const d = purpose && (await loadInteraction(c, pp, uid));
    if (!purpose || !d) return undefined;
    const form = await readForm(c);
    if (!form || !csrfOk(pp, uid, form.csrf)) return undefined;
    const codeId = (form.code_id ?? "").slice(0, 64);
    const scope: CodeScope = {
      accountId: pp.snapshot.accountId,
      poolUid: pp.snapshot.poolUid,
      purpose,
      interactionUid: uid,
      key: codeKey(pp),
    };
    const p = paths(pp, uid);
    const { t, s } = languages(c);
    const page = (id: string, address: string, error: string | undefined, status: number) =>
      send(
        c,
        codePage(
          t,
          s,
          pp.snapshot.brand,
          {
            action: `${p.verify}?purpose=${purpose}`,
            resendAction: `${p.resend}?purpose=${purpose}`,
            csrf: csrfFor(pp, uid),
            codeId: id,
            address,
            backHref: p.login,
            error,
            returnTo: returnTargets(d),
          },
          status,
        ),
      );
    return { purpose, d, form, codeId, scope, p, t, s, page };
  }

  return {
    async verify(c: Ctx, pp: PoolProvider, uid: string) {
      const x = await prepare(c, pp, uid);
      if (!x) return undefined;
      const { scope, form, codeId, s, page } = x;
      const address = (form.address ?? "").slice(0, 320);
      const now = deps.clock.now();
      const result = await checkCode(deps.db, scope, codeId, (form.code ?? "").trim(), clientAddressOf(c), now);
      if (!result.ok) {
        if (result.reason === "throttled") {
          c.header("Retry-After", String(result.retryAfterSeconds));
          return page(codeId, address, fill(s.throttled, { seconds: String(result.retryAfterSeconds) }), 429);
        }
        return page(codeId, address, s.codeInvalid, 401);
      }
      const { accountId, poolUid } = pp.snapshot;
      const user = await findUser(deps.db, accountId, poolUid, result.userUid);
      if (!user || user.user_state !== "ACTIVE" || user.connection_uid !== null || !user.email)
        return page(codeId, address, s.codeInvalid, 401);
      // The code reached the mailbox and came back: the address is proven (a changed address is not).
      await deps.db
        .updateTable("users")
        .set({ email_verified: true, updated_at: sql`case when email_verified then updated_at else ${now} end` })
        .where("account_id", "=", accountId)
        .where("user_pool_uid", "=", poolUid)
        .where("uid", "=", user.uid)
        .where("email", "=", user.email)
        .execute();
      await recordSignIn(deps, {
        accountId,
        poolUid,
        userUid: user.uid,
        method: "email_code",
        userAgent: (c.req.header("user-agent") ?? "").slice(0, 512),
      });
      return finishLogin(c, pp, user.uid, ["otp"]);
    },

    async resend(c: Ctx, pp: PoolProvider, uid: string) {
      const x = await prepare(c, pp, uid);
      if (!x) return undefined;
      const { scope, form, codeId, s, t, page, purpose } = x;
      const address = (form.address ?? "").slice(0, 320);
      const { accountId, poolUid } = pp.snapshot;
      const pool = { accountId, poolUid };
      const now = deps.clock.now();
      const owner = await codeOwner(deps.db, scope, codeId, now);
      if (!owner) return page(codeId, address, s.codeInvalid, 400);
      const st = await selfServiceSettings(deps.db, accountId, poolUid);
      if (!st?.mail) return send(c, noticePage(t, pp.snapshot.brand, s.verifyTitle, s.mailOff, undefined, 503));
      if (!(await withinFlood(deps.db, pool, "client_send", floodKey.client(clientAddressOf(c)), FLOOD.sendsPerClient, now)))
        return page(codeId, address, s.tooMany, 429);
      // The old code stops working: one live code per request and person.
      await deps.db
        .updateTable("sign_in_codes")
        .set({ used_at: now })
        .where("account_id", "=", accountId)
        .where("user_pool_uid", "=", poolUid)
        .where("id", "=", codeId)
        .execute();
      const fresh = await issueCode(deps.db, scope, owner.userUid, now);
      const user = owner.userUid === null ? undefined : await findUser(deps.db, accountId, poolUid, owner.userUid);
      if (user?.email && (await withinFlood(deps.db, pool, "mail_to", floodKey.address(user.email), FLOOD.mailsPerAddress, now)))
        await queueMail(
          deps.db,
          pool,
          `${purpose}_code`,
          user.email,
          codeMail(s, t.lang, pp.snapshot.brand, st.poolName, purpose, fresh.code),
          now,
        );
      return page(fresh.id, address, undefined, 200);
    },
  };
}
