// The hosted pages' content: sign-in, consent, error and logout. Each returns a whole Page (layout.ts)
// and never says whether an account exists: a wrong password and an unknown user read the same.
import { fill, type Strings } from "./i18n.js";
import { formTarget, Html, html, layout, type Brand, type Page } from "./layout.js";

export interface LoginView {
  action: string;
  abortAction: string;
  csrf: string;
  clientName: string;
  loginHint: string;
  /** Shown above the form: invalid details, throttling, password sign-in turned off. */
  error?: string;
  passwordEnabled: boolean;
  /** The client's redirect_uri of this request: where the form's redirect chain may end. */
  returnTo: unknown;
  /** Self-service additions around the password form (src/sign-in/self-service/login-methods.ts). */
  methods?: { before: Html; after: Html; otherMethods: boolean } | undefined;
}

const hidden = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

function abortForm(t: Strings, action: string, csrf: string): Html {
  return html`<form method="post" action="${action}">${hidden(csrf)}<button type="submit" class="secondary">${t.cancel}</button></form>`;
}

export function loginPage(t: Strings, brand: Brand, v: LoginView, status = 200): Page {
  const heading = fill(t.signInTo, { name: brand.name || t.signInTitle });
  const form = v.passwordEnabled
    ? html`<form method="post" action="${v.action}" novalidate>
${hidden(v.csrf)}
<label for="identifier">${t.identifier}</label>
<input id="identifier" name="identifier" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="320" required value="${v.loginHint}" ${v.loginHint ? "" : html`autofocus`}>
<label for="password">${t.password}</label>
<input id="password" name="password" type="password" autocomplete="current-password" maxlength="256" required ${v.loginHint ? html`autofocus` : ""}>
<button type="submit">${t.submit}</button>
</form>`
    : v.methods?.otherMethods
      ? ""
      : html`<p>${t.passwordDisabled}</p>`;
  return layout(
    t,
    t.signInTitle,
    brand,
    html`<h1>${heading}</h1>
<p>${fill(t.continueTo, { client: v.clientName })}</p>
${v.error ? html`<p class="error" role="alert" id="form-error">${v.error}</p>` : ""}
${v.methods?.before}
${form}
${v.methods?.after}
${abortForm(t, v.abortAction, v.csrf)}`,
    status,
    targets(v.returnTo),
  );
}

const targets = (uri: unknown) => {
  const target = formTarget(uri);
  return target ? [target] : [];
};

export interface ConsentView {
  action: string;
  abortAction: string;
  csrf: string;
  clientName: string;
  scopes: string[];
  returnTo: unknown;
}

function scopeText(t: Strings, scope: string): string {
  const key = `scope_${scope}` as keyof Strings;
  return key in t && scope !== "custom" ? t[key] : fill(t.scope_custom, { scope });
}

export function consentPage(t: Strings, brand: Brand, v: ConsentView): Page {
  return layout(
    t,
    t.consentTitle,
    brand,
    html`<h1>${t.consentTitle}</h1>
<p>${fill(t.consentAsk, { client: v.clientName })}</p>
<ul>${v.scopes.map((s) => html`<li>${scopeText(t, s)}</li>`)}</ul>
<form method="post" action="${v.action}">${hidden(v.csrf)}<button type="submit" autofocus>${t.consentAllow}</button></form>
<form method="post" action="${v.abortAction}">${hidden(v.csrf)}<button type="submit" class="secondary">${t.consentDeny}</button></form>`,
    200,
    targets(v.returnTo),
  );
}

export function errorPage(
  t: Strings,
  brand: Brand,
  message: string,
  status: number,
  detail?: { error: string; description?: string },
): Page {
  return layout(
    t,
    t.errorTitle,
    brand,
    html`<h1>${t.errorTitle}</h1>
<p>${message}</p>
${detail ? html`<p><code>${detail.error}</code>${detail.description ? html`: ${detail.description}` : ""}</p>` : ""}`,
    status,
  );
}

/** oidc-provider's logout confirmation: `form` is its own form (action and xsrf token), raw HTML it built and escaped. */
export function logoutPage(t: Strings, brand: Brand, form: string, returnTo: unknown): Page {
  return layout(
    t,
    t.logoutTitle,
    brand,
    html`<h1>${t.logoutTitle}</h1>
<p>${fill(t.logoutAsk, { name: brand.name || t.logoutTitle })}</p>
${new Html(form)}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">${t.logoutYes}</button>
<button type="submit" form="op.logoutForm" class="secondary">${t.logoutNo}</button>`,
    200,
    targets(returnTo),
  );
}

export function loggedOutPage(t: Strings, brand: Brand): Page {
  return layout(t, t.logoutTitle, brand, html`<h1>${t.logoutTitle}</h1><p>${t.logoutDone}</p>`);
}
