// The email address rule: a plain addr-spec and nothing else, so that one stored value names one
// mailbox. A mail library reading "x<victim@corp.example>", "foo,victim@corp.example" or
// "victim@corp.example;" as a header finds the victim in it: display names, lists, quoting, comments
// and domain literals are refused here, before anything is stored or mailed.
//
// Accepted: local@domain, ASCII only. The local part is an RFC 5322 dot-atom of atext, less "!" and
// "%" (bang paths and the percent hack still route mail to another host on some relays). The domain
// is two or more LDH labels (RFC 1035/5890, punycode "xn--" labels included, so IDN domains are given
// in their ASCII form) ending in an alphabetic or "xn--" top-level label; no trailing dot.
// ASCII only also makes the normalised form exact: JavaScript's toLowerCase and Postgres's lower()
// agree on ASCII, so the unique index on lower(email) compares what normalizeEmail compares.

const ATEXT = "[A-Za-z0-9#$&'*+/=?^_`{|}~-]";
const LOCAL_PART = new RegExp(`^${ATEXT}+(?:\\.${ATEXT}+)*$`);
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TOP_LABEL = /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

/** RFC 5321 §4.5.3.1: 64 octets of local part; a path of 256, so 254 for the address itself. */
export const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
const MAX_DOMAIN_LENGTH = 253;

/** True when `address` is a plain addr-spec as described above (and no longer than 254). */
export function isPlainEmail(address: string): boolean {
  if (address.length > MAX_EMAIL_LENGTH) return false;
  const at = address.indexOf("@");
  if (at < 1 || at !== address.lastIndexOf("@")) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > MAX_LOCAL_LENGTH || !LOCAL_PART.test(local)) return false;
  if (domain.length > MAX_DOMAIN_LENGTH) return false;
  const labels = domain.split(".");
  return labels.length >= 2 && labels.every((l) => LABEL.test(l)) && TOP_LABEL.test(labels[labels.length - 1]!);
}

/**
 * The form two addresses are compared in (uniqueness in a pool, the reset mail limits): lower case.
 * Provider-specific aliases (dots or "+tag" in a Gmail local part) are not folded: the rule cannot
 * know them, and each such address is a mailbox name of its own to every other mail system.
 */
export const normalizeEmail = (address: string): string => address.toLowerCase();
