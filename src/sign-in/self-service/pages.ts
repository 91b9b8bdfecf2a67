// The self-service pages: sign-up, the code page, forgotten password, the hosted reset page and a
// notice page; and the login page's extra methods (email code, links). Built on the sign-in pages'
// layout (escaped by default, no script, the pool's brand, the CSP of layout.ts). No page says
// whether an address is registered: each answers the same for a known and an unknown one.
import { fill, type Strings } from "../pages/i18n.js";
import { html, layout, type Brand, type Html, type Page } from "../pages/layout.js";
import type { PasswordPolicy } from "../../user-pools/tables.js";
import { CODE } from "./codes.js";
import type { SelfServiceStrings } from "./strings.js";

const hidden = (name: string, value: string) => html`<input type="hidden" name="${name}" value="${value}">`;
const alert = (error: string | undefined) => (error ? html`<p class="error" role="alert" id="form-error">${error}</p>` : "");
const describedBy = (error: string | undefined) => (error ? html` aria-describedby="form-error"` : "");
const back = (s: SelfServiceStrings, href: string) => html`<p><a href="${href}">${s.haveAccount}</a></p>`;

export function policyList(s: SelfServiceStrings, p: PasswordPolicy): Html {
  const rules = [
    fill(s.policyLength, { n: String(p.MinLength) }),
    ...(p.RequireUppercase ? [s.policyUpper] : []),
    ...(p.RequireLowercase ? [s.policyLower] : []),
    ...(p.RequireDigits ? [s.policyDigit] : []),
    ...(p.RequireSymbols ? [s.policySymbol] : []),
  ];
  return html`<div id="password-policy"><p>${s.policyIntro}</p><ul>${rules.map((r) => html`<li>${r}</li>`)}</ul></div>`;
}

export interface SignUpField {
  /** Form field name. */
  name: string;
  label: string;
  type: "text" | "email" | "tel" | "password";
  required: boolean;
  autocomplete: string;
  value: string;
}

export interface SignUpView {
  action: string;
  csrf: string;
  backHref: string;
  fields: SignUpField[];
  /** Shown under the password field when the form has one. */
  policy?: PasswordPolicy | undefined;
  error?: string | undefined;
}

export function signUpPage(t: Strings, s: SelfServiceStrings, brand: Brand, v: SignUpView, status = 200): Page {
  const fields = v.fields.map(
    (f, i) => html`<label for="f-${f.name}">${f.label}${f.required ? html` <span class="hint">${s.required}</span>` : ""}</label>
<input id="f-${f.name}" name="${f.name}" type="${f.type}" autocomplete="${f.autocomplete}" maxlength="${f.type === "password" ? 256 : 320}"${f.required ? html` required` : ""}${f.type === "password" ? "" : html` value="${f.value}"`}${f.type === "password" && v.policy ? html` aria-describedby="password-policy"` : ""}${i === 0 && !v.error ? html` autofocus` : ""}>
${f.type === "password" && v.policy ? policyList(s, v.policy) : ""}`,
  );
  return layout(
    t,
    s.signUpTitle,
    brand,
    html`<h1>${fill(s.signUpTo, { name: brand.name || s.signUpTitle })}</h1>
${alert(v.error)}
<form method="post" action="${v.action}" novalidate${describedBy(v.error)}>
${hidden("csrf", v.csrf)}
${fields}
<button type="submit">${s.signUpSubmit}</button>
</form>
${back(s, v.backHref)}`,
    status,
  );
}

export interface CodeView {
  action: string;
  resendAction: string;
  csrf: string;
  codeId: string;
  /** What the person typed: echoing it tells nothing about any account. */
  address: string;
  backHref: string;
  error?: string | undefined;
  /** The client's redirect URI's origin: a right code ends the redirect chain there (layout.ts form-action). */
  returnTo: string[];
}

export function codePage(t: Strings, s: SelfServiceStrings, brand: Brand, v: CodeView, status = 200): Page {
  return layout(
    t,
    s.verifyTitle,
    brand,
    html`<h1>${s.verifyTitle}</h1>
<p>${fill(s.verifySent, { address: v.address, digits: String(CODE.digits), minutes: String(CODE.ttlSeconds / 60) })}</p>
${alert(v.error)}
<form method="post" action="${v.action}" novalidate${describedBy(v.error)}>
${hidden("csrf", v.csrf)}${hidden("code_id", v.codeId)}${hidden("address", v.address)}
<label for="code">${s.codeLabel}</label>
<input id="code" name="code" type="text" inputmode="numeric" pattern="[0-9]*" autocomplete="one-time-code" maxlength="${CODE.digits}" required autofocus>
<button type="submit">${s.verifySubmit}</button>
</form>
<form method="post" action="${v.resendAction}">${hidden("csrf", v.csrf)}${hidden("code_id", v.codeId)}${hidden("address", v.address)}<button type="submit" class="secondary">${s.resend}</button></form>
${back(s, v.backHref)}`,
    status,
    v.returnTo,
  );
}

export interface ForgotView {
  action: string;
  csrf: string;
  backHref: string;
  error?: string | undefined;
}

export function forgotPage(t: Strings, s: SelfServiceStrings, brand: Brand, v: ForgotView, status = 200): Page {
  return layout(
    t,
    s.forgotTitle,
    brand,
    html`<h1>${s.forgotTitle}</h1>
<p>${s.forgotAsk}</p>
${alert(v.error)}
<form method="post" action="${v.action}" novalidate${describedBy(v.error)}>
${hidden("csrf", v.csrf)}
<label for="email">${s.email}</label>
<input id="email" name="email" type="email" autocomplete="email" autocapitalize="none" spellcheck="false" maxlength="320" required autofocus>
<button type="submit">${s.forgotSubmit}</button>
</form>
${back(s, v.backHref)}`,
    status,
  );
}

export interface ResetView {
  action: string;
  csrf: string;
  token: string;
  policy: PasswordPolicy;
  error?: string | undefined;
}

export function resetPage(t: Strings, s: SelfServiceStrings, brand: Brand, v: ResetView, status = 200): Page {
  return layout(
    t,
    s.resetTitle,
    brand,
    html`<h1>${s.resetTitle}</h1>
${alert(v.error)}
<form method="post" action="${v.action}" novalidate${describedBy(v.error)}>
${hidden("csrf", v.csrf)}${hidden("token", v.token)}
<label for="password">${s.newPassword}</label>
<input id="password" name="password" type="password" autocomplete="new-password" maxlength="256" required autofocus aria-describedby="password-policy">
${policyList(s, v.policy)}
<button type="submit">${s.resetSubmit}</button>
</form>`,
    status,
  );
}

/** A message, and optionally a link onward (back to the sign-in form of the same request). */
export function noticePage(
  t: Strings,
  brand: Brand,
  title: string,
  message: string,
  link?: { href: string; text: string },
  status = 200,
): Page {
  return layout(
    t,
    title,
    brand,
    html`<h1>${title}</h1>
<p role="status">${message}</p>
${link ? html`<p><a href="${link.href}">${link.text}</a></p>` : ""}`,
    status,
  );
}

export interface LoginMethodsView {
  /** The email-code form, or nothing when the method is off. */
  otpAction?: string | undefined;
  csrf: string;
  loginHint: string;
  signUpHref?: string | undefined;
  forgotHref?: string | undefined;
}

/** The email-code form of the login page (EMAIL_PASSWORDLESS). */
export function otpForm(s: SelfServiceStrings, v: LoginMethodsView): Html {
  return html`<form method="post" action="${v.otpAction ?? ""}" novalidate>
${hidden("csrf", v.csrf)}
<h2>${s.otpAsk}</h2>
<label for="otp-email">${s.email}</label>
<input id="otp-email" name="email" type="email" autocomplete="email" autocapitalize="none" spellcheck="false" maxlength="320" required value="${v.loginHint}">
<button type="submit">${s.otpSubmit}</button>
</form>`;
}

/** Links under the login forms: forgotten password, new account. */
export function loginLinks(s: SelfServiceStrings, v: LoginMethodsView): Html {
  if (!v.forgotHref && !v.signUpHref) return html``;
  return html`<nav class="links">${v.forgotHref ? html`<p><a href="${v.forgotHref}">${s.forgotLink}</a></p>` : ""}${v.signUpHref ? html`<p><a href="${v.signUpHref}">${s.signUpLink}</a></p>` : ""}</nav>`;
}
