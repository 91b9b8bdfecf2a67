// Host names of custom domains: what a caller may claim (RFC 1123 host names, normalized so one name
// has one spelling), and the CNAME target idplane gives each pool (ApigDomain).
import { isIP } from "node:net";
import { domainToASCII, domainToUnicode } from "node:url";
import { z } from "zod";

export const MAX_DOMAIN_LENGTH = 253;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The normalized form of a host name (lower case, IDN as xn-- punycode, no trailing dot), or why it
 * is not one. An IP literal is refused: a CNAME lives on a name, and an address has no owner to prove.
 */
export function normalizeDomain(raw: string): { ok: true; domain: string } | { ok: false; problem: string } {
  const trimmed = raw.trim().replace(/\.$/, "");
  if (trimmed === "") return { ok: false, problem: "it is empty" };
  if (isIP(trimmed.replace(/^\[(.*)\]$/, "$1"))) return { ok: false, problem: "an IP address is not a domain name" };
  // "%" too: the host parser would percent-decode it, so ex%41mple.com would become example.com.
  if (/[\s/:@*?#\\%]/.test(trimmed))
    return { ok: false, problem: "a domain name has only letters, digits, '-' and '.' (no scheme, port, path or wildcard)" };
  // The WHATWG host parser lower-cases and turns IDN into punycode; it also reads 0x7f.1 as an IPv4 address, caught below.
  const domain = domainToASCII(trimmed.toLowerCase());
  if (domain === "" || !domain.split(".").every(isDecodableLabel)) return { ok: false, problem: "it is not a valid domain name" };
  if (domain.length > MAX_DOMAIN_LENGTH) return { ok: false, problem: `it is longer than ${MAX_DOMAIN_LENGTH} characters` };
  const labels = domain.split(".");
  if (labels.length < 2) return { ok: false, problem: "it needs at least two labels, such as login.example.com" };
  if (!labels.every((l) => LABEL.test(l)))
    return { ok: false, problem: "each label is 1-63 letters, digits or '-', not starting or ending with '-'" };
  // The parser answers an IPv4 address for "0x7f.1"; any name it would read so ends in a number.
  if (/^[0-9]+$/.test(labels.at(-1)!)) return { ok: false, problem: "an IP address is not a domain name" };
  return { ok: true, domain };
}

/**
 * An xn-- label must be punycode that decodes. Node 20's host parser refuses "xn--zz" outright; Node 24's
 * passes it through unchanged (and decodes it to itself), so the check is ours on every line.
 */
function isDecodableLabel(label: string): boolean {
  if (!label.startsWith("xn--")) return true;
  const unicode = domainToUnicode(label);
  return unicode !== "" && unicode !== label;
}

/** A Domain parameter: checked and answered in its normalized form. */
export const domainName = z
  .string()
  .min(1)
  .max(MAX_DOMAIN_LENGTH + 1)
  .transform((raw, ctx) => {
    const r = normalizeDomain(raw);
    if (r.ok) return r.domain;
    ctx.addIssue({ code: "custom", message: `must be a host name such as login.example.com: ${r.problem}` });
    return z.NEVER;
  });

/** `name` is `parent` or a name under it. */
export const isWithin = (name: string, parent: string) => name === parent || name.endsWith(`.${parent}`);

/**
 * The CNAME target of a pool's custom domain: its own name under the configured suffix, so a DNS
 * record proves which pool the domain's owner meant (a record left pointing at a shared target would
 * hand the name to whichever pool claimed it next).
 */
export const cnameTarget = (suffix: string, poolUid: string) => `${poolUid.toLowerCase()}.${suffix}`;
