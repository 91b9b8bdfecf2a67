// One rule builder for every URL the API stores: which schemes, whether a fragment, wildcards or
// whitespace may appear. Each field states its rule; urlProblem says the first thing wrong, in the
// words the redirect-URI errors have always used (callers with a fixed message only test for it).

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
// A private-use scheme for native apps is a reverse domain name (RFC 8252 §7.1), so it holds a dot;
// that also shuts out javascript:, data:, file: and the like.
const NATIVE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+$/;

export interface UrlRule {
  /** http anywhere, only on a loopback host (localhost, 127.0.0.1, [::1]), or never; https always. */
  http: "any" | "loopback" | "never";
  /** Reverse-domain private-use schemes of native apps, such as com.example.app:/cb. */
  nativeSchemes?: boolean;
  /** Refuse whitespace and control characters before parsing (the parser would percent-encode them). */
  noWhitespace?: boolean;
  /** Refuse '*', which some providers read as a wildcard. */
  noWildcards?: boolean;
  /** Allow a #fragment (a logo may have one; a redirect or an endpoint may not). */
  fragment?: boolean;
}

export const MAX_URL_LENGTH = 2048;

/** Where a link carrying a secret (a reset token) may point: https, or http to the caller's own machine. */
export const SECURE_WEB_URL: UrlRule = { http: "loopback" };

/** Also checked on stored values that predate the rule. */
export const isSecureWebUrl = (s: string): boolean => urlProblem(s, SECURE_WEB_URL) === undefined;

/** JSON-quoted and cut short, so an error message never echoes a huge or multi-line value. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}...` : value);
}

/**
 * The WHATWG serialization of an acceptable URL (lower-case scheme and host, default port dropped,
 * path normalized): the form stored, so what is compared later is what a browser would request.
 */
export function serializedUrl(uri: string): string {
  return new URL(uri).href;
}

/** Why `uri` breaks `rule`, or undefined when it is acceptable. Credentials are never allowed. */
export function urlProblem(uri: string, rule: UrlRule): string | undefined {
  if (uri.length === 0) return "it is empty";
  if (uri.length > MAX_URL_LENGTH) return `it is longer than ${MAX_URL_LENGTH} characters`;
  if (rule.noWhitespace && /[\s\x00-\x1f\x7f]/.test(uri)) return "it contains whitespace or control characters";
  if (!rule.fragment && uri.includes("#")) return "it must not contain a fragment";
  if (rule.noWildcards && uri.includes("*")) return "wildcards are not allowed";
  // The WHATWG parser reads '\\' as '/' in http(s) URLs, so "https://app.example.com\\@evil.com/cb"
  // names evil.com to a browser while other parsers see app.example.com: refused, whatever the scheme.
  if (uri.includes("\\")) return "it must not contain a backslash";
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return "it is not an absolute URI";
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (url.username || url.password) return "it must not contain credentials";
  if (scheme === "http" || scheme === "https") {
    // "https:evil.com/cb" and "https:///evil.com/cb" parse as https://evil.com/cb; "https://@evil.com"
    // or a percent-encoded host parse to a host the text does not show. Only a plainly written
    // authority is accepted (and the parser then always finds a host in it).
    const authority = /^https?:\/\/([^/?#]*)/i.exec(uri)?.[1];
    if (!authority) return `it must start with ${scheme}:// followed by the host`;
    if (/[@%]/.test(authority)) return "the host must be written plainly (no '@' or percent-encoding)";
  }
  if (scheme === "https") return undefined;
  if (scheme === "http" && rule.http === "any") return undefined;
  if (scheme === "http" && rule.http === "loopback") {
    return LOOPBACK_HOSTS.has(url.hostname) ? undefined : "http is allowed only for localhost, 127.0.0.1 and [::1]; use https";
  }
  if (rule.nativeSchemes && NATIVE_SCHEME.test(scheme)) return undefined;
  return `the scheme ${quote(scheme)} is not allowed; use https, http on a loopback host, or a reverse-domain scheme such as com.example.app`;
}
