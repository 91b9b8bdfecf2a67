// What every self-service handler needs: the interaction of the browser's cookie (the same check as
// the sign-in page's: the id in the path must be the cookie's, and the request must still be at its
// login prompt), the forms' CSRF token (the sign-in page's formula, so the login page's email-code
// form posts with the token it already carries), the pages' addresses, the bounded form body, and
// the end of a successful flow: the login result handed back to oidc-provider.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { InteractionResults } from "oidc-provider";
import { pickStrings, type Strings } from "../pages/i18n.js";
import { formTarget } from "../pages/layout.js";
import type { Page } from "../pages/layout.js";
import type { PoolProvider } from "../providers.js";
import { FORM_LIMIT_BYTES, type SignInContext as Ctx } from "../request-info.js";

export { FORM_LIMIT_BYTES };
import { selfServiceStrings, type SelfServiceStrings } from "./strings.js";

export type Details = Awaited<ReturnType<PoolProvider["provider"]["interactionDetails"]>>;

export const csrfFor = (pp: PoolProvider, subject: string) => createHmac("sha256", pp.csrfKey).update(subject).digest("base64url");

export function csrfOk(pp: PoolProvider, subject: string, presented: unknown): boolean {
  if (typeof presented !== "string" || presented.length > 100) return false;
  const expected = Buffer.from(csrfFor(pp, subject));
  const got = Buffer.from(presented);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** HMAC key of the pool's one-time codes: derived from the same private key as the CSRF key, for another use. */
export const codeKey = (pp: PoolProvider) => createHmac("sha256", pp.csrfKey).update("idplane sign-in one-time codes").digest();

export async function loadInteraction(c: Ctx, pp: PoolProvider, uid: string): Promise<Details | undefined> {
  try {
    const d = await pp.provider.interactionDetails(c.env.incoming, c.env.outgoing);
    return d.uid === uid && d.prompt.name === "login" ? d : undefined;
  } catch {
    return undefined;
  }
}

export function paths(pp: PoolProvider, uid: string) {
  const issuerPath = new URL(pp.snapshot.issuer).pathname;
  const base = `${issuerPath}/interaction/${encodeURIComponent(uid)}`;
  return {
    login: base,
    signUp: `${base}/signup`,
    verify: `${base}/verify`,
    resend: `${base}/resend`,
    forgot: `${base}/forgot`,
    otp: `${base}/otp`,
    reset: `${issuerPath}/reset-password`,
  };
}

export function languages(c: Ctx): { t: Strings; s: SelfServiceStrings } {
  const t = pickStrings(c.req.header("accept-language"));
  return { t, s: selfServiceStrings(t) };
}

export const send = (c: Ctx, page: Page) => c.body(page.body, page.status as 200, page.headers);

/** The form, or undefined when the body is not a form of a browser's size (refused unread). */
export async function readForm(c: Ctx): Promise<Record<string, string> | undefined> {
  const length = Number(c.req.header("content-length") ?? Number.NaN);
  if (!(length <= FORM_LIMIT_BYTES)) return undefined;
  const body = await c.req.parseBody();
  const form: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === "string" && v.length <= 1024) form[k] = v;
  return form;
}

/** Where the redirect chain after a finishing form may end (the form-action of layout.ts). */
export const returnTargets = (d: Details) => {
  const t = formTarget(d.params.redirect_uri);
  return t ? [t] : [];
};

/** Hands the sign-in back to the library and sends the browser on to resume the authorization request. */
export async function finishLogin(c: Ctx, pp: PoolProvider, userUid: string, amr: string[]) {
  const result: InteractionResults = { login: { accountId: userUid, amr, remember: true } };
  const to = await pp.provider.interactionResult(c.env.incoming, c.env.outgoing, result, { mergeWithLastSubmission: false });
  return c.redirect(to, 303);
}
