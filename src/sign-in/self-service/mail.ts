// The self-service mails: a code (sign-up verification or sign-in), the notice to an address that
// already has an account, and the password reset link. Each in the page's language, as plain text
// and as HTML (escaped like the pages, inline styles only: mail clients drop stylesheets), with the
// pool's brand: its name in subject and body, its logo in the HTML when it is an https URL.
import { formatTime } from "../../core/time.js";
import { fill } from "../pages/i18n.js";
import { html, logoUrl, type Brand, type Html } from "../pages/layout.js";
import { CODE } from "./codes.js";
import type { SelfServiceStrings } from "./strings.js";

export interface MailContent {
  subject: string;
  bodyText: string;
  bodyHtml: string;
}

function frame(lang: string, brand: Brand, name: string, content: Html): string {
  const logo = logoUrl(brand);
  return html`<!DOCTYPE html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${name}</title></head>
<body style="margin:0;padding:24px;background:#f4f5f7;font-family:system-ui,-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',sans-serif;color:#1b1e24">
<div style="max-width:32rem;margin:0 auto;padding:24px;background:#ffffff;border-radius:8px">
${logo ? html`<img src="${logo}" alt="${name}" style="max-height:48px;max-width:100%;display:block;margin-bottom:16px">` : html`<p style="font-weight:600;font-size:18px;margin:0 0 16px">${name}</p>`}
${content}
</div></body></html>`.value;
}

const brandName = (brand: Brand, poolName: string) => brand.name || poolName;

export function codeMail(
  s: SelfServiceStrings,
  lang: string,
  brand: Brand,
  poolName: string,
  purpose: "sign_up" | "sign_in",
  code: string,
): MailContent {
  const name = brandName(brand, poolName);
  const minutes = String(CODE.ttlSeconds / 60);
  const intro = fill(purpose === "sign_up" ? s.mailCodeSignUp : s.mailCodeSignIn, { name });
  const expiry = fill(s.mailCodeExpiry, { minutes, name });
  return {
    subject: fill(purpose === "sign_up" ? s.mailCodeSubjectSignUp : s.mailCodeSubjectSignIn, { name }),
    bodyText: [s.mailHello, "", intro, "", `    ${code}`, "", expiry, s.mailIgnore, ""].join("\n"),
    bodyHtml: frame(
      lang,
      brand,
      name,
      html`<p>${s.mailHello}</p><p>${intro}</p>
<p style="font-size:28px;font-weight:700;letter-spacing:6px;font-family:ui-monospace,Menlo,Consolas,monospace">${code}</p>
<p>${expiry}</p><p style="color:#4b5563">${s.mailIgnore}</p>`,
    ),
  };
}

/** To the owner of an address someone tried to sign up with: no account is made, nothing is told to the page. */
export function alreadyRegisteredMail(s: SelfServiceStrings, lang: string, brand: Brand, poolName: string): MailContent {
  const name = brandName(brand, poolName);
  const text = fill(s.mailExists, { name });
  return {
    subject: fill(s.mailExistsSubject, { name }),
    bodyText: [s.mailHello, "", text, "", s.mailIgnore, ""].join("\n"),
    bodyHtml: frame(lang, brand, name, html`<p>${s.mailHello}</p><p>${text}</p><p style="color:#4b5563">${s.mailIgnore}</p>`),
  };
}

export function resetMail(s: SelfServiceStrings, lang: string, brand: Brand, poolName: string, link: string, expiresAt: Date): MailContent {
  const name = brandName(brand, poolName);
  const intro = fill(s.mailReset, { name });
  const expiry = fill(s.mailResetExpiry, { time: formatTime(expiresAt) });
  return {
    subject: fill(s.mailResetSubject, { name }),
    bodyText: [s.mailHello, "", intro, "", link, "", expiry, s.mailIgnore, ""].join("\n"),
    bodyHtml: frame(
      lang,
      brand,
      name,
      html`<p>${s.mailHello}</p><p>${intro}</p>
<p><a href="${link}" style="display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;border-radius:4px;text-decoration:none">${s.resetSubmit}</a></p>
<p style="word-break:break-all;font-size:13px">${link}</p>
<p>${expiry}</p><p style="color:#4b5563">${s.mailIgnore}</p>`,
    ),
  };
}
