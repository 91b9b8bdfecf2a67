// What the sign-in page adds for self-service: the email-code form (EMAIL_PASSWORDLESS), placed
// before or after the password form as AuthenticationMethodOrder ranks them, and links to the
// forgotten-password and sign-up pages when the pool turns them on. SMS methods are never offered:
// idplane sends no SMS (docs/sign-in.md, "Self-service").
import type { Strings } from "../pages/i18n.js";
import { html, type Html } from "../pages/layout.js";
import type { SignInDeps } from "../provider.js";
import type { PoolProvider } from "../providers.js";
import { csrfFor, paths } from "./context.js";
import { loginLinks, otpForm } from "./pages.js";
import { selfServiceSettings } from "./settings.js";
import { selfServiceStrings } from "./strings.js";

export interface LoginMethods {
  /** Shown above the password form. */
  before: Html;
  /** Shown below it. */
  after: Html;
  /** A method besides the password is offered (so "password sign-in is off" is not the whole story). */
  otherMethods: boolean;
}

export async function loginMethods(deps: SignInDeps, t: Strings, pp: PoolProvider, uid: string, loginHint: string): Promise<LoginMethods> {
  const st = await selfServiceSettings(deps.db, pp.snapshot.accountId, pp.snapshot.poolUid);
  if (!st) return { before: html``, after: html``, otherMethods: false };
  const s = selfServiceStrings(t);
  const p = paths(pp, uid);
  const view = {
    otpAction: p.otp,
    csrf: csrfFor(pp, uid),
    loginHint: loginHint.includes("@") ? loginHint : "",
    signUpHref: st.selfSignUp ? p.signUp : undefined,
    forgotHref: st.recovery && st.recoveryByEmail && st.mail && pp.snapshot.passwordSignInEnabled ? p.forgot : undefined,
  };
  const otp = st.methods.includes("EMAIL_PASSWORDLESS");
  const otpFirst = otp && st.methods.indexOf("EMAIL_PASSWORDLESS") < st.methods.indexOf("PASSWORD");
  const separator = otp && pp.snapshot.passwordSignInEnabled ? html`<p class="or">${s.or}</p>` : html``;
  return {
    before: otpFirst ? html`${otpForm(s, view)}${separator}` : html``,
    after: html`${otp && !otpFirst ? html`${separator}${otpForm(s, view)}` : ""}${loginLinks(s, view)}`,
    otherMethods: otp,
  };
}
