// The outbound address classifier (src/platform/outbound/addresses.ts) against every way an address
// can be written and against a model of its rule: an address is refused iff it lies in one of the
// listed blocks (an IPv4-mapped ::ffff:a.b.c.d judged as its IPv4 address) and the operator lists no
// block holding it. The model below is written from the RFCs' block list, not from the module, so a
// changed entry, a lost edge or a broken mapping fails here. No network, no database: this file is
// in the unit set the mutation run (stryker.config.mjs) reruns.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AddressPolicy, isAddressOrBlock, isInternalName, isLoopbackHost } from "../../../src/platform/outbound/addresses.js";

// ---- the model -------------------------------------------------------------------------------

const V4_BLOCKS = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.88.99.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "240.0.0.0/4",
];
const V6_BLOCKS = [
  "::/127",
  "::/96",
  "::ffff:0:0:0/96",
  "64:ff9b::/96",
  "64:ff9b:1::/48",
  "100::/64",
  "2001::/23",
  "2001:db8::/32",
  "2002::/16",
  "fc00::/7",
  "fe80::/10",
  "ff00::/8",
];

function v4Number(a: string): bigint {
  return a.split(".").reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n);
}
const v4Text = (n: bigint) => [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join(".");

/** Any textual IPv6 form (compressed, full, with a dotted IPv4 tail) as a 128-bit number. */
function v6Number(a: string): bigint {
  let text = a.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const n = v4Number(dotted[1]!);
    text = `${text.slice(0, -dotted[1]!.length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return groups.reduce((n, g) => (n << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}
const v6Text = (n: bigint) => [...Array(8).keys()].map((i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(":");

interface Block {
  v6: boolean;
  start: bigint;
  bits: number;
}
function block(entry: string): Block {
  const [address, prefix] = entry.split("/") as [string, string | undefined];
  const v6 = address.includes(":");
  return { v6, start: v6 ? v6Number(address) : v4Number(address), bits: prefix === undefined ? (v6 ? 128 : 32) : Number(prefix) };
}
const width = (b: Block) => (b.v6 ? 128 : 32);
const lastOf = (b: Block) => b.start + (1n << BigInt(width(b) - b.bits)) - 1n;
const holds = (b: Block, v6: boolean, n: bigint) => b.v6 === v6 && n >= b.start && n <= lastOf(b);

const MAPPED = { v6: true, start: v6Number("::ffff:0.0.0.0"), bits: 96 };

/** The rule: in a listed block, and in none the operator lists; ::ffff:a.b.c.d is a.b.c.d. */
function modelRefuses(address: string, allowed: string[]): boolean {
  let v6 = address.includes(":");
  let n = v6 ? v6Number(address) : v4Number(address);
  if (v6 && holds(MAPPED, true, n)) {
    v6 = false;
    n &= 0xffffffffn;
  }
  const inAny = (entries: string[]) => entries.map(block).some((b) => holds(b, v6, n));
  return inAny([...V4_BLOCKS, ...V6_BLOCKS]) && !inAny(allowed);
}

// ---- arbitraries -----------------------------------------------------------------------------

const ALL_BLOCKS = [...V4_BLOCKS, ...V6_BLOCKS].map(block);

/** Addresses at and around the edges of every listed block, and anywhere inside them, and anywhere at all. */
const nearBlocks = fc
  .tuple(fc.constantFrom(...ALL_BLOCKS), fc.constantFrom("first", "last", "inside"), fc.bigInt({ min: -2n, max: 2n }), fc.bigInt())
  .map(([b, where, delta, r]) => {
    const size = lastOf(b) - b.start + 1n;
    const base = where === "first" ? b.start : where === "last" ? lastOf(b) : b.start + ((r < 0n ? -r : r) % size);
    const max = (1n << BigInt(width(b))) - 1n;
    const n = base + delta < 0n ? 0n : base + delta > max ? max : base + delta;
    return b.v6 ? v6Text(n) : v4Text(n);
  });
const anyAddress = fc.oneof(
  nearBlocks,
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV4().map((a) => `::ffff:${a}`),
);

// ---- the tests -------------------------------------------------------------------------------

describe("outbound address policy, against the model", () => {
  it("refuses an address iff it lies in a listed block (no allowances)", () => {
    const policy = new AddressPolicy([]);
    // endOnFailure: a mutant that breaks the rule fails at once, without seconds of shrinking.
    fc.assert(
      fc.property(anyAddress, (a) => {
        expect(policy.refusal(a) !== undefined, a).toBe(modelRefuses(a, []));
      }),
      { numRuns: 2000, endOnFailure: true },
    );
  });

  it("lets exactly the operator's addresses and blocks through", () => {
    const allowance = fc.oneof(
      nearBlocks,
      fc.tuple(fc.constantFrom(...ALL_BLOCKS), fc.nat(16)).map(([b, more]) => {
        const bits = Math.min(width(b), b.bits + more);
        return `${b.v6 ? v6Text(b.start) : v4Text(b.start)}/${bits}`;
      }),
    );
    fc.assert(
      fc.property(fc.array(allowance, { maxLength: 4 }), fc.array(anyAddress, { minLength: 1, maxLength: 20 }), (allowed, addresses) => {
        const policy = new AddressPolicy(allowed);
        for (const a of addresses) expect(policy.refusal(a) !== undefined, `${a} with ${allowed.join(",")}`).toBe(modelRefuses(a, allowed));
      }),
      { numRuns: 300, endOnFailure: true },
    );
  });
});

describe("outbound address policy, IPv4 in inet_aton's other notations", () => {
  it("refuses every octal, hex or short spelling; a plain dotted one is judged by the model", () => {
    const policy = new AddressPolicy([]);
    fc.assert(
      fc.property(fc.ipV4Extended(), (a) => {
        const plain = /^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/.test(a);
        if (plain) expect(policy.refusal(a) !== undefined, a).toBe(modelRefuses(a, []));
        else expect(policy.refusal(a), a).toBe(`${JSON.stringify(a)} is not an IP address`);
      }),
      { numRuns: 1000, endOnFailure: true },
    );
  });
});

describe("outbound address policy, table of forms", () => {
  // Each listed block: its first and last address refused, the neighbours outside it reachable
  // (unless they fall in another block).
  it.each(V4_BLOCKS)("IPv4 block %s: its edges refused, its neighbours judged on their own", (entry) => {
    const policy = new AddressPolicy([]);
    const b = block(entry);
    for (const n of [b.start, lastOf(b)]) expect(policy.refusal(v4Text(n)), v4Text(n)).toMatch(/is not a public address/);
    for (const n of [b.start - 1n, lastOf(b) + 1n].filter((n) => n >= 0n && n <= 0xffffffffn)) {
      expect(policy.refusal(v4Text(n)) !== undefined, v4Text(n)).toBe(modelRefuses(v4Text(n), []));
    }
  });

  it.each(V6_BLOCKS)("IPv6 block %s: its edges refused, its neighbours judged on their own", (entry) => {
    const policy = new AddressPolicy([]);
    const b = block(entry);
    for (const n of [b.start, lastOf(b)]) expect(policy.refusal(v6Text(n)), v6Text(n)).toMatch(/is not a public address/);
    for (const n of [b.start - 1n, lastOf(b) + 1n].filter((n) => n >= 0n && n < 1n << 128n)) {
      expect(policy.refusal(v6Text(n)) !== undefined, v6Text(n)).toBe(modelRefuses(v6Text(n), []));
    }
  });

  it.each([
    // IPv4, dotted: the neighbours of the private blocks.
    ["9.255.255.255", true],
    ["11.0.0.0", true],
    ["100.63.255.255", true],
    ["100.128.0.0", true],
    ["126.255.255.255", true],
    ["128.0.0.0", true],
    ["169.253.255.255", true],
    ["169.255.0.0", true],
    ["172.15.255.255", true],
    ["172.32.0.0", true],
    ["192.167.255.255", true],
    ["192.169.0.0", true],
    ["198.17.255.255", true],
    ["198.20.0.0", true],
    ["223.255.255.255", true],
    ["255.255.255.255", false],
    ["1.1.1.1", true],
    // IPv4-mapped, in either spelling and any case: judged as the IPv4 address.
    ["::ffff:127.0.0.1", false],
    ["::FFFF:127.0.0.1", false],
    ["::ffff:7f00:1", false],
    ["0:0:0:0:0:ffff:7f00:1", false],
    ["::ffff:a9fe:a9fe", false],
    ["::ffff:192.168.0.1", false],
    ["::ffff:8.8.8.8", true],
    ["::ffff:808:808", true],
    ["0:0:0:0:0:FFFF:0808:0808", true],
    // IPv4-compatible (::/96) and translated (::ffff:0:0:0/96, SIIT): refused whatever they carry.
    ["::127.0.0.1", false],
    ["::8.8.8.8", false],
    ["::808:808", false],
    ["::ffff:0:8.8.8.8", false],
    ["::ffff:0:808:808", false],
    // NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48): refused whatever they carry.
    ["64:ff9b::8.8.8.8", false],
    ["64:ff9b::7f00:1", false],
    ["64:ff9b::ffff:ffff", false],
    ["64:ff9b::1:0:0", true],
    ["64:ff9b:1::1", false],
    ["64:ff9b:1:ffff:ffff:ffff:ffff:ffff", false],
    ["64:ff9b:2::", true],
    // 6to4, Teredo, documentation, ULA, link-local, multicast, discard.
    ["2002:c0a8:101::1", false],
    ["2001:0:4136:e378::1", false],
    ["2001:1ff:ffff::1", false],
    ["2001:200::1", true],
    ["2001:db8:ffff::1", false],
    ["2001:db9::1", true],
    ["fc00::", false],
    ["fdff:ffff::1", false],
    ["fe00::1", true],
    ["fe80::", false],
    ["febf:ffff::1", false],
    ["fec0::1", true],
    ["ff02::1", false],
    ["100::1", false],
    ["100:0:0:1::", true],
    ["100::ffff:ffff:ffff:ffff", false],
    ["::2", false],
    ["::1:0:0:0", true],
    ["::1:ffff:ffff", true],
    ["2606:4700:4700::1111", true],
    ["2a00:1450:4001:800::200e", true],
    // Zone ids name an interface, not a host elsewhere: a link-local address stays refused.
    ["fe80::1%eth0", false],
    ["fe80::1%1", false],
  ])("%s is reachable: %s", (address, reachable) => {
    expect(new AddressPolicy([]).refusal(address) === undefined).toBe(reachable);
  });

  it.each([
    // What inet_aton would read as 127.0.0.1, 10.0.0.1 or 169.254.169.254, and what is no address at
    // all: refused, since no list can hold a spelling node:net does not read (issue 30).
    "0177.0.0.1",
    "0x7f.0.0.1",
    "0x7f000001",
    "2130706433",
    "127.1",
    "127.0.1",
    "012.0.0.1",
    "0xa9.0xfe.0xa9.0xfe",
    "127.0.0.1%1",
    "[::1]",
    " 8.8.8.8",
    "localhost",
    "",
  ])("%j is not an address and is refused", (raw) => {
    expect(new AddressPolicy([]).refusal(raw)).toBe(`${JSON.stringify(raw)} is not an IP address`);
    expect(new AddressPolicy(["0.0.0.0/0", "::/0"]).refusal(raw)).toBe(`${JSON.stringify(raw)} is not an IP address`);
  });

  it("cuts a long non-address short in the reason", () => {
    const raw = "x".repeat(300);
    expect(new AddressPolicy([]).refusal(raw)).toBe(`"${"x".repeat(100)}" is not an IP address`);
  });

  it("names the address as given in the reason", () => {
    expect(new AddressPolicy([]).refusal("::FFFF:127.0.0.1")).toBe(
      "::FFFF:127.0.0.1 is not a public address (loopback, private, link-local or reserved)",
    );
  });

  it("reads the operator's single addresses as one address, blocks as blocks, in both families", () => {
    const policy = new AddressPolicy(["127.0.0.1", "10.0.0.0/8", "fd00::1", "fe80::/64", "192.168.1.0/24"]);
    for (const a of ["127.0.0.1", "10.0.0.0", "10.255.255.255", "fd00::1", "fe80::ffff", "192.168.1.255", "::ffff:127.0.0.1"])
      expect(policy.refusal(a), a).toBeUndefined();
    for (const a of ["127.0.0.2", "127.0.0.0", "fd00::2", "fd00::", "fe80:0:0:1::1", "192.168.2.0", "192.168.0.255", "9.255.255.255"])
      expect(policy.refusal(a) !== undefined, a).toBe(
        modelRefuses(a, ["127.0.0.1", "10.0.0.0/8", "fd00::1", "fe80::/64", "192.168.1.0/24"]),
      );
  });
});

describe("configured entries", () => {
  it.each([
    ["127.0.0.1", true],
    ["10.0.0.0/8", true],
    ["0.0.0.0/0", true],
    ["10.0.0.1/32", true],
    ["10.0.0.1/032", true],
    ["10.0.0.1/33", false],
    ["::1", true],
    ["fd00::/8", true],
    ["::/0", true],
    ["::/128", true],
    ["::/129", false],
    ["::ffff:10.0.0.0/104", true],
    ["10.0.0.0/8/1", false],
    ["10.0.0.0/", false],
    ["10.0.0.0/x", false],
    ["10.0.0.0/ 8", false],
    ["10.0.0.0/8 ", false],
    ["10.0.0.0/1e1", false],
    ["10.0.0.0/0x8", false],
    ["10.0.0.0/-8", false],
    ["10.0.0.0/0008", false],
    ["localhost", false],
    ["localhost/8", false],
    ["127.1", false],
    ["", false],
    ["/8", false],
  ])("%j is an address or block: %s", (entry, ok) => {
    expect(isAddressOrBlock(entry)).toBe(ok);
  });
});

describe("host names", () => {
  it.each([
    ["localhost", true],
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["127.255.255.255", true],
    ["[::1]", true],
    ["::1", true],
    ["LOCALHOST", false],
    ["localhost.", false],
    ["x.localhost", false],
    ["127.0.0.1.example.com", false],
    ["a127.0.0.1", false],
    ["127.0.0", false],
    ["127..0.1", false],
    ["128.0.0.1", false],
    ["[::2]", false],
    ["10.0.0.1", false],
    ["example.com", false],
  ])("%s is a loopback host: %s", (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it.each([
    ["localhost", true],
    ["LOCALHOST.", true],
    ["app.localhost", true],
    ["internal", true],
    ["metadata.google.internal", true],
    ["METADATA.GOOGLE.INTERNAL.", true],
    ["printer.local", true],
    ["db.localdomain", true],
    ["home.arpa", true],
    ["nas.home.arpa", true],
    ["nas.lan", true],
    ["wiki.intranet", true],
    ["git.corp", true],
    ["vault.private", true],
    ["vm", true],
    ["vm.", true],
    ["metadata", true],
    ["idp.example.com", false],
    ["idp.example.com.", false],
    ["internal.example.com", false],
    ["example.mycorp", false],
    ["example.notlocal", false],
    ["x.arpa", false],
    ["home.arpa.example.com", false],
    ["accounts.google.com", false],
  ])("%s is an internal name: %s", (host, internal) => {
    expect(isInternalName(host)).toBe(internal);
  });
});
