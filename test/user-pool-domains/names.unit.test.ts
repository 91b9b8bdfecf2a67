// Custom-domain names (src/user-pool-domains/names.ts): which spellings are one name (case, a
// trailing dot, IDN and punycode, full-width and ideographic dots), which are refused and with what
// words (IP literals in any notation, URLs, wildcards, label and length limits), and, as properties
// (fast-check), that normalization is idempotent and blind to case and a trailing dot. No DNS and no
// database: this file is in the unit set the mutation run (stryker.config.mjs) reruns.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_DOMAIN_LENGTH, cnameTarget, domainName, isWithin, normalizeDomain } from "../../src/user-pool-domains/names.js";

const IP = "an IP address is not a domain name";
const CHARS = "a domain name has only letters, digits, '-' and '.' (no scheme, port, path or wildcard)";
const INVALID = "it is not a valid domain name";
const LABEL = "each label is 1-63 letters, digits or '-', not starting or ending with '-'";
const TWO = "it needs at least two labels, such as login.example.com";
const LONG = `it is longer than ${MAX_DOMAIN_LENGTH} characters`;

const l63 = "a".repeat(63);
/** A name of exactly `n` characters: 63-character labels, then the rest. */
const nameOf = (n: number) => {
  const labels: string[] = [];
  let left = n;
  while (left > 64) {
    labels.push(l63);
    left -= 64;
  }
  labels.push("b".repeat(left));
  return labels.join(".");
};

describe("domain names", () => {
  it.each([
    ["login.example.com", "login.example.com"],
    ["Login.Example.COM", "login.example.com"],
    ["login.example.com.", "login.example.com"],
    ["  login.example.com \t", "login.example.com"],
    ["a.b", "a.b"],
    ["123.example", "123.example"],
    ["a.123.example", "a.123.example"],
    ["a.b.123.example", "a.b.123.example"],
    ["a--b.example.com", "a--b.example.com"],
    ["a-b-c.example", "a-b-c.example"],
    ["x.1e5", "x.1e5"],
    ["bücher.example", "xn--bcher-kva.example"],
    ["BÜCHER.example", "xn--bcher-kva.example"],
    ["xn--bcher-kva.example", "xn--bcher-kva.example"],
    ["XN--BCHER-KVA.EXAMPLE.", "xn--bcher-kva.example"],
    ["faß.de", "xn--fa-hia.de"],
    ["例え.テスト", "xn--r8jz45g.xn--zckzah"],
    ["ＥＸＡＭＰＬＥ.com", "example.com"],
    ["a\u3002example\u3002com", "a.example.com"],
    [`${l63}.example`, `${l63}.example`],
    [nameOf(MAX_DOMAIN_LENGTH), nameOf(MAX_DOMAIN_LENGTH)],
    [`${nameOf(MAX_DOMAIN_LENGTH)}.`, nameOf(MAX_DOMAIN_LENGTH)],
  ])("%j is %j", (raw, normalized) => {
    expect(normalizeDomain(raw)).toEqual({ ok: true, domain: normalized });
  });

  it.each([
    ["", "it is empty"],
    ["   ", "it is empty"],
    [".", "it is empty"],
    ["127.0.0.1", IP],
    ["[::1]", IP],
    ["::1", IP],
    ["[2001:db8::1]", IP],
    ["0x7f.1", IP],
    ["0x7f.0.0.10", IP],
    ["0177.0.0.1", IP],
    ["2130706433.", IP],
    ["1.2.3", IP],
    ["10.0.0.1.", IP],
    ["1.2.3.4.5", INVALID],
    ["example.123", INVALID],
    ["x.0x10", INVALID],
    ["https://login.example.com", CHARS],
    ["login.example.com:443", CHARS],
    ["login.example.com/path", CHARS],
    ["user@login.example.com", CHARS],
    ["*.example.com", CHARS],
    ["login.example.com?x", CHARS],
    ["login#x.example.com", CHARS],
    ["login\\x.example.com", CHARS],
    ["login example.com", CHARS],
    ["login\texample.com", CHARS],
    ["ex%41mple.com", CHARS],
    ["login.example.com%2e", CHARS],
    ["[login.example.com]", INVALID],
    ["xn--zz.example", INVALID],
    ["login.xn--a.example", INVALID],
    ["login.example.com..", LABEL],
    ["a..b.example", LABEL],
    [".a.example", LABEL],
    ["-a.example.com", LABEL],
    ["a-.example.com", LABEL],
    ["a_b.example.com", LABEL],
    ["\u200b.example", LABEL],
    [`${"a".repeat(64)}.example`, LABEL],
    ["localhost", TWO],
    ["com", TWO],
    [nameOf(MAX_DOMAIN_LENGTH + 1), LONG],
    [`${nameOf(MAX_DOMAIN_LENGTH + 1)}.`, LONG],
    // 250 characters typed, longer than 253 as punycode.
    [`${"ü".repeat(60)}.${nameOf(189)}`, LONG],
  ])("%j is refused: %s", (raw, problem) => {
    expect(normalizeDomain(raw)).toEqual({ ok: false, problem });
  });

  it("answers a Domain parameter normalized, or refuses it with the reason", () => {
    expect(domainName.parse("Bücher.Example.")).toBe("xn--bcher-kva.example");
    const r = domainName.safeParse("localhost");
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.code, i.message])).toEqual([["custom", `must be a host name such as login.example.com: ${TWO}`]]);
    expect(domainName.safeParse("").success).toBe(false);
    expect(domainName.parse(`${nameOf(MAX_DOMAIN_LENGTH)}.`)).toBe(nameOf(MAX_DOMAIN_LENGTH));
    const long = domainName.safeParse(`${nameOf(MAX_DOMAIN_LENGTH)}..`);
    expect(long.success).toBe(false);
    expect(long.error?.issues[0]?.code).toBe("too_big");
    expect(MAX_DOMAIN_LENGTH).toBe(253);
  });

  it("normalizes once: the answer is its own normal form, whatever the case or a trailing dot", () => {
    const label = fc.stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?$/);
    const unicodeLabel = fc.constantFrom("bücher", "faß", "例え", "テスト", "ελληνικά", "xn--bcher-kva", "Ｘ");
    const name = fc.array(fc.oneof(label, unicodeLabel), { minLength: 1, maxLength: 4 }).map((ls) => `${ls.join(".")}.example`);
    // endOnFailure: a mutant that breaks the rule fails at once, without seconds of shrinking.
    fc.assert(
      fc.property(name, fc.boolean(), (raw, dot) => {
        const r = normalizeDomain(raw);
        if (!r.ok) return;
        expect(normalizeDomain(r.domain)).toEqual(r);
        expect(normalizeDomain(`${raw.replace(/[a-z]/g, (c) => c.toUpperCase())}${dot ? "." : ""}`)).toEqual(r);
        expect(r.domain).toMatch(/^[a-z0-9.-]+$/);
      }),
      { numRuns: 300, endOnFailure: true },
    );
  });
});

describe("names of idplane's own", () => {
  it.each([
    ["example.com", "example.com", true],
    ["login.example.com", "example.com", true],
    ["a.b.example.com", "example.com", true],
    ["badexample.com", "example.com", false],
    ["example.com.evil", "example.com", false],
    ["com", "example.com", false],
  ])("%s is within %s: %s", (name, parent, within) => {
    expect(isWithin(name, parent)).toBe(within);
  });

  it("gives each pool its own CNAME target under the suffix", () => {
    expect(cnameTarget("domains.idplane.test", "Pool-ABC")).toBe("pool-abc.domains.idplane.test");
  });
});
