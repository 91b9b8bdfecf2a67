// Which addresses an outbound request may reach. A URL a tenant gives (an OIDC issuer) must not turn
// idplane into a probe of its own network: loopback, private, link-local (cloud metadata at
// 169.254.169.254), shared, documentation, multicast and reserved ranges are refused unless the
// operator lists them (ID_OUTBOUND_ALLOW_ADDRESSES), e.g. for an identity provider on the LAN.
import { BlockList, isIP } from "node:net";

const NOT_PUBLIC_V4 = [
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
// ::/96: IPv4-compatible addresses (deprecated, RFC 4291), ::a.b.c.d reaches a.b.c.d on some stacks;
// ::ffff:0:0:0/96: IPv4-translated (SIIT, RFC 2765). IPv4-mapped (::ffff:0:0/96) is judged as the
// IPv4 address it carries (BlockList maps it), so public mapped addresses stay reachable.
const NOT_PUBLIC_V6 = [
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

function blockListOf(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split("/") as [string, string | undefined];
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

const notPublic = blockListOf([...NOT_PUBLIC_V4, ...NOT_PUBLIC_V6]);

/** "a.b.c.d", "a.b.c.d/n", "x::y", "x::/n"; the config check's rule. */
export function isAddressOrBlock(entry: string): boolean {
  const [address, prefix, extra] = entry.split("/");
  const family = isIP(address ?? "");
  if (family === 0 || extra !== undefined) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

export class AddressPolicy {
  private readonly allowed: BlockList;

  constructor(allowedEntries: string[]) {
    this.allowed = blockListOf(allowedEntries);
  }

  /**
   * Why `address` may not be reached, or undefined when it may. An IPv4 address carried in IPv6
   * (::ffff:a.b.c.d, in either spelling) is judged as the IPv4 address it is: BlockList maps it
   * both ways, for the listed blocks and the operator's alike.
   */
  refusal(address: string): string | undefined {
    // Anything but a literal in a form node:net reads is refused: BlockList checks nothing else, and
    // "0177.0.0.1" or "127.1" name loopback to inet_aton while no list would hold them.
    const version = isIP(address);
    if (version === 0) return `${JSON.stringify(address.slice(0, 100))} is not an IP address`;
    const family = version === 6 ? "ipv6" : "ipv4";
    if (!notPublic.check(address, family) || this.allowed.check(address, family)) return undefined;
    return `${address} is not a public address (loopback, private, link-local or reserved)`;
  }
}

export const isLoopbackHost = (host: string) =>
  host === "localhost" || host === "[::1]" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * Namespaces that never name a host on the public internet: localhost (RFC 6761), .internal (set
 * aside for private use, where cloud metadata lives: metadata.google.internal), .local (mDNS),
 * .home.arpa (RFC 8375), and the customary private suffixes; and a single label, which the host's
 * resolver completes with its own search domains.
 */
const INTERNAL_SUFFIXES = ["localhost", "internal", "local", "localdomain", "home.arpa", "lan", "intranet", "corp", "private"];

export function isInternalName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  return !name.includes(".") || INTERNAL_SUFFIXES.some((s) => name === s || name.endsWith(`.${s}`));
}
