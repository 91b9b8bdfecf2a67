// The canonical request's building blocks (docs/spec/signing.md §2-§4) at their edges: every byte's encoding,
// escapes in both cases and malformed ones, names that are prefixes of each other, empty segments,
// `+` in paths, and the header-value and host variants. Compared with the independent test signer.
import { describe, expect, it } from "vitest";
import {
  bytesToString,
  canonicalHost,
  canonicalPaths,
  canonicalQueries,
  decodeComponent,
  encodeBytes,
  headerValueVariants,
  parseQuery,
} from "../../../../src/control-plane/gateway/signing/canonical.js";
import { encode } from "../../../support/signer.js";

const text = (b: Uint8Array) => Buffer.from(b).toString("latin1");
const canon = (raw: string) => canonicalQueries(parseQuery(raw));

describe("encodeBytes", () => {
  it("keeps exactly A-Z a-z 0-9 - _ . ~ and writes every other byte as upper-case %XX", () => {
    for (let b = 0; b < 256; b++) {
      const expected = /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
      expect(encodeBytes(Uint8Array.of(b)), `byte ${b}`).toBe(expected);
    }
  });
  it("agrees with the test signer on UTF-8 text", () => {
    const s = "Zaz09-_.~ !*'()é中\u{1F600}/+=&";
    expect(encodeBytes(Buffer.from(s, "utf8"))).toBe(encode(s));
  });
});

describe("decodeComponent", () => {
  it("decodes escapes written with every hex digit, in either case", () => {
    expect([...decodeComponent("%00%09%0A%0F%0a%0f%90%A0%F0%a0%f0%FF%ff")]).toEqual([
      0x00, 0x09, 0x0a, 0x0f, 0x0a, 0x0f, 0x90, 0xa0, 0xf0, 0xa0, 0xf0, 0xff, 0xff,
    ]);
  });
  it("keeps an escape whose digits sit just outside 0-9, A-F or a-f literal", () => {
    for (const c of ["/", ":", "@", "G", "`", "g"]) {
      expect(text(decodeComponent(`%${c}1`)), `first digit ${c}`).toBe(`%${c}1`);
      expect(text(decodeComponent(`%1${c}`)), `second digit ${c}`).toBe(`%1${c}`);
    }
  });
  it("keeps a % with fewer than two characters after it literal, at the end or not", () => {
    expect(text(decodeComponent("a%"))).toBe("a%");
    expect(text(decodeComponent("a%4"))).toBe("a%4");
    expect(text(decodeComponent("%4%41"))).toBe("%4A");
    expect(text(decodeComponent("%41"))).toBe("A");
  });
  it("reads + as a space and %2B as a plus", () => {
    expect(text(decodeComponent("a+b+c"))).toBe("a b c");
    expect(text(decodeComponent("a%2Bb"))).toBe("a+b");
  });
  it("returns unreserved text unchanged and other text as its UTF-8 bytes", () => {
    expect(text(decodeComponent("Abc-_.~9"))).toBe("Abc-_.~9");
    expect([...decodeComponent("é")]).toEqual([0xc3, 0xa9]);
    expect([...decodeComponent("a b")]).toEqual([0x61, 0x20, 0x62]);
  });
});

describe("parseQuery", () => {
  it("splits pairs in wire order, names without = get an empty value, values keep later =", () => {
    expect(parseQuery("B=2&A&C=x=y").map((p) => [p.nameText, p.valueText, p.canonical])).toEqual([
      ["B", "2", "B=2"],
      ["A", "", "A="],
      ["C", "x=y", "C=x%3Dy"],
    ]);
  });
  it("skips empty segments between &&, at the start and at the end", () => {
    expect(parseQuery("&&A=1&&B=2&").map((p) => p.nameText)).toEqual(["A", "B"]);
    expect(parseQuery("")).toEqual([]);
    expect(parseQuery("&")).toEqual([]);
  });
  it("decodes names and values to bytes and text, invalid UTF-8 as U+FFFD without throwing", () => {
    const [p] = parseQuery("N%61me=%FF%41");
    expect(p!.nameText).toBe("Name");
    expect([...p!.value]).toEqual([0xff, 0x41]);
    expect(p!.valueText).toBe("\uFFFDA");
    expect(p!.canonical).toBe("Name=%FFA");
    expect(bytesToString(Uint8Array.of(0xc3, 0x28))).toBe("\uFFFD(");
  });
  it("decodes lower-case escapes and re-encodes them upper-case", () => {
    const [p] = parseQuery("%6e%61me=%6f%2a");
    expect([p!.nameText, p!.valueText, p!.canonical]).toEqual(["name", "o*", "name=o%2A"]);
  });
  it("keeps unreserved names and values as they are, bytes included", () => {
    const [p] = parseQuery("Action=ListUsers");
    expect([text(p!.name), text(p!.value), p!.canonical]).toEqual(["Action", "ListUsers", "Action=ListUsers"]);
  });
});

describe("canonicalQueries", () => {
  it("sorts a name before the longer names it is a prefix of, whatever the wire order", () => {
    expect(canon("Filter.Name=x&Filter=y")).toEqual(["Filter=y&Filter.Name=x"]);
    expect(canon("Filter=y&Filter.Name=x")).toEqual(["Filter=y&Filter.Name=x"]);
    expect(canon("ab=1&a=2&abc=3&b=4")).toEqual(["a=2&ab=1&abc=3&b=4"]);
  });
  it("sorts by decoded bytes: upper case before lower case, escaped names by what they decode to", () => {
    expect(canon("a=1&B=2&%41=3")).toEqual(["A=3&B=2&a=1"]);
    expect(canon("z=1&%C3%A9=2&y=3")).toEqual(["y=3&z=1&%C3%A9=2"]);
  });
  it("offers wire and value-sorted orders only for a repeated name, with other names in between", () => {
    expect(canon("K=b&A=1&K=a")).toEqual(["A=1&K=b&K=a", "A=1&K=a&K=b"]);
    expect(canon("K=a&A=1&K=b")).toEqual(["A=1&K=a&K=b"]);
    expect(canon("B=2&A=2&A=1&C=0")).toEqual(["A=2&A=1&B=2&C=0", "A=1&A=2&B=2&C=0"]);
  });
  it("compares values by bytes when sorting repeated values, shorter prefix first", () => {
    expect(canon("K=ab&K=a")).toEqual(["K=ab&K=a", "K=a&K=ab"]);
  });
  it("is empty for an empty query", () => {
    expect(canon("")).toEqual([""]);
  });
});

describe("canonicalPaths", () => {
  it("uses / for an empty path and keeps plain paths as one variant", () => {
    expect(canonicalPaths("")).toEqual(["/"]);
    expect(canonicalPaths("/a/B-_.~9/")).toEqual(["/a/B-_.~9/"]);
  });
  it("encodes a literal + in a path as %2B, never as a space", () => {
    expect(canonicalPaths("/a+b+c")).toEqual(["/a+b+c", "/a%2Bb%2Bc"]);
  });
  it("re-encodes each segment, keeping the slashes", () => {
    expect(canonicalPaths("/x y/*/%7e")).toEqual(["/x y/*/%7e", "/x%20y/%2A/~"]);
  });
  it("offers one variant when the path is already canonically encoded", () => {
    expect(canonicalPaths("/a%20b/%2A")).toEqual(["/a%20b/%2A"]);
    expect(canonicalPaths("*")).toEqual(["*", "%2A"]);
  });
});

describe("header values and host", () => {
  it("gives trimmed, collapsed and as-sent values", () => {
    expect(headerValueVariants("  a \t b   c ")).toEqual(["a \t b   c", "a b c", "  a \t b   c "]);
    expect(headerValueVariants("ab")).toEqual(["ab", "ab", "ab"]);
  });
  it("drops :80 and :443 only at the end", () => {
    expect(canonicalHost("h:80")).toBe("h");
    expect(canonicalHost("h:443")).toBe("h");
    expect(canonicalHost("h:8080")).toBe("h:8080");
    expect(canonicalHost("h:4430")).toBe("h:4430");
    expect(canonicalHost("h:80:81")).toBe("h:80:81");
    expect(canonicalHost("h")).toBe("h");
  });
});
