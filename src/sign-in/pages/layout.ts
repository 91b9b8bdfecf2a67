// The frame of every hosted page: escaped by default (html`` escapes each interpolation unless it
// is already Html), one inline stylesheet allowed by a per-response nonce, and the page's
// Content-Security-Policy: no script, no third-party origin (the one exception is the pool's
// Brand logo, by its exact https URL), forms posting only to this origin, never framed.
import { randomBytes } from "node:crypto";
import type { Strings } from "./i18n.js";

export class Html {
  constructor(readonly value: string) {}
  toString() {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

type Part = string | number | Html | undefined | null | false | readonly Part[];
const render = (v: Part): string =>
  v === undefined || v === null || v === false
    ? ""
    : v instanceof Html
      ? v.value
      : Array.isArray(v)
        ? v.map(render).join("")
        : escapeHtml(String(v));

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]) : ""), ""));
}

export interface Brand {
  name: string;
  logoUri: string;
}

export interface Page {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** A logo is shown only from an https URL (the CSP names it exactly); anything else is left out. */
export function logoUrl(brand: Brand): string | undefined {
  if (!brand.logoUri || brand.logoUri.length > 2048 || !URL.canParse(brand.logoUri)) return undefined;
  const url = new URL(brand.logoUri);
  return url.protocol === "https:" && !url.username && !url.password ? url.href : undefined;
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;background:#f4f5f7;color:#1b1e24}
main{max-width:26rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
@media (max-width:30rem){main{margin:0;border-radius:0;min-height:100vh}}
h1{font-size:1.4rem;margin:0 0 .25rem}p{margin:.5rem 0}.logo{max-height:48px;max-width:100%;display:block;margin-bottom:1rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}input[type=text],input[type=password],input[type=email],input[type=tel]{width:100%;padding:.6rem;font-size:1rem;border:1px solid #6b7280;border-radius:4px}
input:focus,button:focus{outline:3px solid #2563eb;outline-offset:2px}
button{font-size:1rem;padding:.6rem 1.2rem;border-radius:4px;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;cursor:pointer;margin:1.25rem .5rem 0 0}
button.secondary{background:#fff;color:#1d4ed8}.error{color:#b91c1c;background:#fef2f2;border:1px solid #fecaca;padding:.5rem .75rem;border-radius:4px}
ul{padding-left:1.25rem}h2{font-size:1.1rem;margin:1rem 0 0}.or{text-align:center;color:#4b5563;margin:1rem 0 0}.hint{font-weight:400;color:#4b5563}a{color:#1d4ed8}`;

/**
 * What a form-action must also allow besides 'self': browsers hold the whole redirect chain after a
 * form post to it, and a finished sign-in, consent or logout ends at the client's registered (and
 * already checked) redirect URI. An https/http URI gives its origin, a native app's its scheme.
 */
export function formTarget(uri: unknown): string | undefined {
  if (typeof uri !== "string" || uri.length > 2048 || !URL.canParse(uri)) return undefined;
  const url = new URL(uri);
  const value = url.protocol === "https:" || url.protocol === "http:" ? url.origin : url.protocol;
  return /^[A-Za-z0-9.+:/[\]-]+$/.test(value) ? value : undefined;
}

export function layout(t: Strings, title: string, brand: Brand, content: Html, status = 200, formTargets: string[] = []): Page {
  const nonce = randomBytes(16).toString("base64");
  const logo = logoUrl(brand);
  const csp = [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    `img-src ${logo ? logo.replace(/[;,\s]/g, encodeURIComponent) : "'none'"}`,
    ["form-action 'self'", ...formTargets].join(" "),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
  const body = html`<!DOCTYPE html>
<html lang="${t.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}${brand.name ? ` \u2013 ${brand.name}` : ""}</title>
<style nonce="${nonce}">${new Html(STYLE)}</style>
</head>
<body>
<main>
${logo ? html`<img class="logo" src="${logo}" alt="${brand.name}">` : ""}
${content}
</main>
</body>
</html>`;
  return {
    status,
    body: body.value,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": csp,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
      "X-Frame-Options": "DENY",
    },
  };
}
