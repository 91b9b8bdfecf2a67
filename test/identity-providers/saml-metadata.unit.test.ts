// What idplane reads from a SAML IdP's metadata (src/identity-providers/saml-metadata.ts) and how
// strong its signing certificates must be (saml-certificates.ts), called directly: hostile XML
// (DOCTYPE, entities, processing instructions, depth), namespaces, the EntityDescriptor count,
// missing and extra endpoints and certificates, every refusal's words. The certificates are fixed
// files made once with openssl (test/fixtures/saml-certificates/README.md), valid for a century, and
// each test passes its own "now", so nothing here depends on the clock or makes keys. No database:
// this file is in the unit set the mutation run (stryker.config.mjs) reruns.
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MIN_RSA_BITS, weakCertificate } from "../../src/identity-providers/saml-certificates.js";
import {
  IDP_METADATA_MAX,
  idpSigningCertificates,
  SAML2_METADATA,
  SAML_BINDINGS,
  readIdpMetadata,
} from "../../src/identity-providers/saml-metadata.js";
import { errorOf } from "../support/unit/support.js";

const FIXTURES = new URL("../fixtures/saml-certificates/", import.meta.url);
const pem = (name: string) => readFileSync(new URL(`${name}.pem`, FIXTURES), "utf8");
const base64Of = (name: string) => pem(name).replace(/-----[^-]+-----|\s/g, "");
const certOf = (name: string) => new X509Certificate(pem(name));

const GOOD = "rsa2048-sha256";
/** A day after the good certificate's start: every fixture is valid then. */
const NOW = () => new Date(new Date(certOf(GOOD).validFrom).getTime() + 86_400_000);

const PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
const REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

const keyDescriptor = (cert: string, use = ' use="signing"') =>
  `<md:KeyDescriptor${use}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
const sso = (binding: string, location: string) => `<md:SingleSignOnService Binding="${binding}" Location="${location}"/>`;

interface Parts {
  prolog?: string;
  root?: string;
  rootAttributes?: string;
  entityId?: string;
  idpAttributes?: string;
  keys?: string;
  services?: string;
  inside?: string;
}
function metadata(p: Parts = {}): string {
  const root = p.root ?? "md:EntityDescriptor";
  return `${p.prolog ?? '<?xml version="1.0" encoding="UTF-8"?>\n'}<${root} ${p.rootAttributes ?? `xmlns:md="${SAML2_METADATA}"`} xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${p.entityId ?? "https://idp.example.com/saml"}">
  <md:IDPSSODescriptor ${p.idpAttributes ?? `WantAuthnRequestsSigned="true" protocolSupportEnumeration="${PROTOCOL}"`}>
    ${
      p.keys ??
      keyDescriptor(
        base64Of(GOOD)
          .match(/.{1,64}/g)!
          .join("\n"),
      )
    }
    ${p.services ?? `${sso(REDIRECT, "https://idp.example.com/sso?tenant=1&amp;x=2")}${sso(POST, "https://idp.example.com/sso")}`}
  </md:IDPSSODescriptor>${p.inside ?? ""}
</${root}>`;
}

const read = (xml: string, now = NOW()) => readIdpMetadata(xml, now);
const refusal = (xml: string, now = NOW()) => {
  const err = errorOf(() => read(xml, now));
  expect(err.code).toBe("InvalidParameter.IdpMetadata");
  return err.message.replace(/^IdpMetadata /, "");
};

describe("reading IdP metadata", () => {
  it("reads the entity id, the browser SSO endpoints, the signing certificate and the signing wish", () => {
    const cert = certOf(GOOD);
    expect(read(metadata())).toEqual({
      EntityId: "https://idp.example.com/saml",
      SingleSignOnServices: [
        { Binding: REDIRECT, Location: "https://idp.example.com/sso?tenant=1&x=2" },
        { Binding: POST, Location: "https://idp.example.com/sso" },
      ],
      SigningCertificates: [
        {
          Subject: "C=DE, O=Example IdP, CN=idp.example.com",
          NotAfter: new Date(cert.validTo).toISOString(),
          Fingerprint256: cert.fingerprint256,
        },
      ],
      WantAuthnRequestsSigned: true,
    });
    expect(SAML_BINDINGS).toEqual({ redirect: REDIRECT, post: POST });
    expect(SAML2_METADATA).toBe("urn:oasis:names:tc:SAML:2.0:metadata");
    expect(IDP_METADATA_MAX).toBe(128 * 1024);
  });

  it.each([
    ['WantAuthnRequestsSigned="false"', false],
    ['WantAuthnRequestsSigned="TRUE"', false],
    ['WantAuthnRequestsSigned="1"', false],
    ["", false],
  ])("reads %s as WantAuthnRequestsSigned %s", (attribute, want) => {
    expect(read(metadata({ idpAttributes: `${attribute} protocolSupportEnumeration="${PROTOCOL}"` })).WantAuthnRequestsSigned).toBe(want);
  });

  it("takes the namespace from the root's prefix or the default namespace, whatever the prefix", () => {
    const referenced = metadata({ rootAttributes: `xmlns:md="urn:oasis:names:tc:SAML:2.0:metadat&#97;"` });
    expect(read(referenced).EntityId).toBe("https://idp.example.com/saml");
    const plain = metadata({ root: "EntityDescriptor", rootAttributes: `xmlns="${SAML2_METADATA}" xmlns:md="${SAML2_METADATA}"` });
    expect(read(plain).EntityId).toBe("https://idp.example.com/saml");
    const other = metadata({
      root: "saml2md:EntityDescriptor",
      rootAttributes: `xmlns:saml2md="${SAML2_METADATA}" xmlns:md="${SAML2_METADATA}"`,
    });
    expect(read(other).EntityId).toBe("https://idp.example.com/saml");
    const defaultElsewhere = metadata({ rootAttributes: `xmlns="urn:other" xmlns:md="${SAML2_METADATA}"` });
    expect(read(defaultElsewhere).EntityId).toBe("https://idp.example.com/saml");
  });

  it.each([
    ["no namespace", { root: "EntityDescriptor", rootAttributes: `xmlns:md="${SAML2_METADATA}"` }],
    ["another default namespace", { root: "EntityDescriptor", rootAttributes: `xmlns="urn:evil" xmlns:md="${SAML2_METADATA}"` }],
    ["its prefix bound elsewhere", { rootAttributes: `xmlns:md="urn:oasis:names:tc:SAML:2.0:metadatax"` }],
    ["the SAML 1 namespace", { rootAttributes: `xmlns:md="urn:oasis:names:tc:SAML:1.0:metadata"` }],
    ["its prefix undeclared, the default right", { rootAttributes: `xmlns="${SAML2_METADATA}"` }],
    // Decoded once: "&amp;#97;" is the text "&#97;", not an "a".
    ["a reference decoded twice", { rootAttributes: `xmlns:md="urn:oasis:names:tc:SAML:2.0:metadat&amp;#97;"` }],
  ])("refuses an EntityDescriptor with %s", (_name, parts) => {
    expect(refusal(metadata(parts))).toBe(`must have its EntityDescriptor in the SAML metadata namespace ${SAML2_METADATA}`);
  });

  it("refuses a root without any attribute as outside the namespace", () => {
    expect(refusal("<EntityDescriptor><IDPSSODescriptor/></EntityDescriptor>")).toBe(
      `must have its EntityDescriptor in the SAML metadata namespace ${SAML2_METADATA}`,
    );
  });

  it.each([
    [
      "an aggregate",
      `<md:EntitiesDescriptor xmlns:md="${SAML2_METADATA}">${metadata({ prolog: "" })}${metadata({ prolog: "" })}</md:EntitiesDescriptor>`,
    ],
    ["another root", `<md:SPSSODescriptor xmlns:md="${SAML2_METADATA}"/>`],
    ["a second root element after it", `${metadata()}<second/>`],
    ["a second root element before it", `<first/>${metadata({ prolog: "" })}`],
    [
      "a second EntityDescriptor after a self-closed one",
      `<md:EntityDescriptor xmlns:md="${SAML2_METADATA}" entityID="a"/>${metadata({ prolog: "" })}`,
    ],
    ["a second EntityDescriptor in another namespace", `${metadata()}<x:EntityDescriptor xmlns:x="urn:evil" entityID="evil"/>`],
  ])("refuses %s at the root", (_name, xml) => {
    expect(refusal(xml)).toBe("must have one EntityDescriptor at its root (the metadata of one identity provider)");
  });

  it.each([
    ["missing", 'entityID=""'],
    ["blank", 'entityID="   "'],
  ])("refuses an entity id %s", (_name, attribute) => {
    const xml = metadata().replace('entityID="https://idp.example.com/saml"', attribute);
    expect(refusal(xml)).toBe("has an EntityDescriptor without an entityID");
    expect(refusal(metadata().replace(' entityID="https://idp.example.com/saml"', ""))).toBe("has an EntityDescriptor without an entityID");
  });

  it("decodes the predefined entities and character references in attributes, once, and trims them", () => {
    const entityId = "  https://idp.example.com/&#115;aml&#x2F;&#X41;?a=&lt;&gt;&quot;&apos;&amp;amp;&#xd7ff;&#1114111;  ";
    expect(read(metadata({ entityId })).EntityId).toBe("https://idp.example.com/saml/&#X41;?a=<>\"'&amp;\ud7ff\u{10ffff}");
    // A reference to no character is kept as written, as is any other entity name.
    const odd = "https://idp.example.com/&#0;&#xD800;&#xdfff;&#x110000;&#1114112;&#xe000;&#57344;&#1;&copy;&#;&#x;&#12345678;";
    expect(read(metadata({ entityId: odd })).EntityId).toBe(
      "https://idp.example.com/&#0;&#xD800;&#xdfff;&#x110000;&#1114112;\ue000\ue000\u0001&copy;&#;&#x;&#12345678;",
    );
  });
});

describe("hostile metadata", () => {
  it.each([
    ["a DOCTYPE", '<!DOCTYPE md:EntityDescriptor [<!ENTITY a "aaaa">]>\n'],
    ["a lower-case doctype", '<!doctype md:EntityDescriptor [<!entity a "aaaa">]>\n'],
    ["an external entity", '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'],
    ["a DOCTYPE without entities", "<!DOCTYPE md:EntityDescriptor>\n"],
  ])("refuses %s before parsing", (_name, prolog) => {
    expect(refusal(metadata({ prolog }))).toBe(
      "has a DOCTYPE or entity declaration; SAML metadata needs neither, and idplane refuses both",
    );
  });

  it("refuses an entity declaration anywhere, even where it is no declaration", () => {
    expect(refusal(metadata({ inside: "<!-- <!ENTITY x 'y'> -->" }))).toBe(
      "has a DOCTYPE or entity declaration; SAML metadata needs neither, and idplane refuses both",
    );
    expect(refusal(metadata({ inside: "<!-- <!entity x 'y'> -->" }))).toMatch(/^has a DOCTYPE or entity declaration/);
  });

  it("refuses XML that is not well-formed, with the parser's reason and line", () => {
    expect(refusal(metadata().replace("</md:IDPSSODescriptor>", ""))).toMatch(/^is not well-formed XML: .+ \(line \d+\)$/);
    expect(refusal("<md:EntityDescriptor")).toMatch(/^is not well-formed XML: .+ \(line 1\)$/);
    expect(refusal("just text")).toBe("is not well-formed XML: char 'j' is not expected. (line 1)");
    expect(refusal("")).toMatch(/^is not well-formed XML: .+ \(line 1\)$/);
  });

  it("refuses nesting deeper than the parser's bound", () => {
    const deep = (n: number) => `${"<x>".repeat(n)}${"</x>".repeat(n)}`;
    expect(read(metadata({ inside: deep(20) })).EntityId).toBe("https://idp.example.com/saml");
    const message = refusal(metadata({ inside: deep(40) }));
    expect(message).toMatch(/^could not be read: /);
    expect(message.length).toBeLessThanOrEqual("could not be read: ".length + 200);
  });

  it("ignores processing instructions, comments and CDATA around and inside", () => {
    const cert = base64Of(GOOD);
    const xml = metadata({
      prolog: '<?xml version="1.0"?><?xml-stylesheet href="https://evil.example/x.xsl"?><!-- c -->\n',
      keys: keyDescriptor(`${cert.slice(0, 100)}<?pi inside?>${cert.slice(100)}`),
      inside: '<?pi x?><md:Extensions><?EntityDescriptor y?></md:Extensions><![CDATA[<md:EntityDescriptor entityID="evil"/>]]>',
    });
    const got = read(xml);
    expect(got.EntityId).toBe("https://idp.example.com/saml");
    expect(got.SigningCertificates).toHaveLength(1);
    expect(got.SigningCertificates[0]!.Fingerprint256).toBe(certOf(GOOD).fingerprint256);
  });

  it("leaves an undeclared entity as text rather than expanding it", () => {
    expect(read(metadata({ entityId: "https://idp.example.com/&xxe;" })).EntityId).toBe("https://idp.example.com/&xxe;");
  });
});

describe("SSO endpoints", () => {
  it("keeps only the browser bindings", () => {
    const services = `${sso("urn:oasis:names:tc:SAML:2.0:bindings:SOAP", "https://idp.example.com/soap")}${sso(POST, "https://idp.example.com/post")}${sso(`x${REDIRECT}`, "https://idp.example.com/r")}`;
    expect(read(metadata({ services })).SingleSignOnServices).toEqual([{ Binding: POST, Location: "https://idp.example.com/post" }]);
    expect(read(metadata({ services: sso(REDIRECT, "https://idp.example.com/r") })).SingleSignOnServices).toEqual([
      { Binding: REDIRECT, Location: "https://idp.example.com/r" },
    ]);
  });

  it.each([
    ["none", ""],
    ["only SOAP", sso("urn:oasis:names:tc:SAML:2.0:bindings:SOAP", "https://idp.example.com/soap")],
    ["a binding in another case", sso(REDIRECT.toLowerCase(), "https://idp.example.com/r")],
    ["no binding", '<md:SingleSignOnService Location="https://idp.example.com/r"/>'],
  ])("refuses %s", (_name, services) => {
    expect(refusal(metadata({ services }))).toBe("has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding");
  });

  it.each([["http://idp.example.com/sso"], ["/sso"], [""], ["javascript:alert(1)"], ["https//idp.example.com"]])(
    "refuses the location %j",
    (location) => {
      expect(refusal(metadata({ services: `${sso(POST, "https://idp.example.com/ok")}${sso(REDIRECT, location)}` }))).toBe(
        `names the SingleSignOnService location ${JSON.stringify(location)}, which is not an absolute https URL`,
      );
    },
  );

  it("cuts a long location short in the refusal", () => {
    const location = `http://idp.example.com/${"a".repeat(300)}`;
    expect(refusal(metadata({ services: sso(POST, location) }))).toBe(
      `names the SingleSignOnService location ${JSON.stringify(location.slice(0, 200))}, which is not an absolute https URL`,
    );
  });

  it("ignores the endpoints of an unusable binding, whatever their location", () => {
    const services = `${sso("urn:oasis:names:tc:SAML:2.0:bindings:SOAP", "http://idp.example.com/soap")}${sso(POST, "https://idp.example.com/p")}`;
    expect(read(metadata({ services })).SingleSignOnServices).toHaveLength(1);
  });
});

describe("the IDPSSODescriptor", () => {
  it("takes the one supporting SAML 2.0, among others and whitespace", () => {
    const saml1 = `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol">${sso(POST, "https://old.example.com/p")}</md:IDPSSODescriptor>`;
    const xml = metadata({ idpAttributes: `protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol\n\t${PROTOCOL}"` });
    expect(read(xml).EntityId).toBe("https://idp.example.com/saml");
    const both = metadata({ inside: saml1 }).replace("<md:IDPSSODescriptor", `${saml1}<md:IDPSSODescriptor`);
    expect(read(both).SingleSignOnServices[0]!.Location).toBe("https://idp.example.com/sso?tenant=1&x=2");
  });

  it.each([
    ["SAML 1.1 only", 'protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol"'],
    ["a longer name", `protocolSupportEnumeration="${PROTOCOL}x"`],
    ["none", ""],
  ])("refuses %s", (_name, idpAttributes) => {
    expect(refusal(metadata({ idpAttributes }))).toBe(`has no IDPSSODescriptor supporting ${PROTOCOL}`);
  });

  it("refuses metadata without any", () => {
    const xml = `<md:EntityDescriptor xmlns:md="${SAML2_METADATA}" entityID="https://idp.example.com/saml"><md:SPSSODescriptor protocolSupportEnumeration="${PROTOCOL}"/></md:EntityDescriptor>`;
    expect(refusal(xml)).toBe(`has no IDPSSODescriptor supporting ${PROTOCOL}`);
  });
});

describe("signing certificates", () => {
  it("reads every signing certificate, with or without use, and no encryption one", () => {
    const keys = [
      keyDescriptor(base64Of("p256-sha256")),
      keyDescriptor(base64Of("rsa1024-sha256"), ' use="encryption"'),
      keyDescriptor(base64Of("ed25519"), ""),
      `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64Of("p384-sha384")}</ds:X509Certificate><ds:X509Certificate>${base64Of("rsa2048-sha512")}</ds:X509Certificate></ds:X509Data><ds:X509Data><ds:X509SubjectName>CN=x</ds:X509SubjectName></ds:X509Data></ds:KeyInfo><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64Of("p521-sha512")}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
    ].join("");
    const got = read(metadata({ keys })).SigningCertificates;
    expect(got.map((c) => c.Fingerprint256)).toEqual(
      ["p256-sha256", "ed25519", "p384-sha384", "rsa2048-sha512", "p521-sha512"].map((n) => certOf(n).fingerprint256),
    );
    expect(got.map((c) => c.Subject)).toEqual([
      "CN=p256-sha256.idp.example",
      "CN=ed25519.idp.example",
      "CN=p384-sha384.idp.example",
      "CN=rsa2048-sha512.idp.example",
      "CN=p521-sha512.idp.example",
    ]);
  });

  it("reads a certificate element that has attributes of its own", () => {
    const keys = `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate Id="c1">${base64Of(GOOD)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
    expect(read(metadata({ keys })).SigningCertificates[0]!.Fingerprint256).toBe(certOf(GOOD).fingerprint256);
    const empty = `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate Id="c1"/></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
    expect(refusal(metadata({ keys: empty }))).toBe("signing certificate 1 is not a parseable X.509 certificate");
  });

  it("reads a certificate wrapped in any whitespace", () => {
    const wrapped = base64Of(GOOD)
      .match(/.{1,76}/g)!
      .join("\r\n\t  ");
    expect(read(metadata({ keys: keyDescriptor(`\n  ${wrapped}\n`) })).SigningCertificates).toHaveLength(1);
  });

  it.each([
    ["no KeyDescriptor", ""],
    ["only an encryption key", keyDescriptor(base64Of(GOOD), ' use="encryption"')],
    ["a key of another use", keyDescriptor(base64Of(GOOD), ' use="Signing"')],
    [
      "a KeyInfo without X509Data",
      '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:KeyName>k</ds:KeyName></ds:KeyInfo></md:KeyDescriptor>',
    ],
    ["X509Data without a certificate", '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></md:KeyDescriptor>'],
  ])("refuses %s", (_name, keys) => {
    expect(refusal(metadata({ keys }))).toBe('has no signing certificate (KeyDescriptor use="signing" with an X509Certificate)');
  });

  it.each([
    ["not base64", "not a certificate!"],
    ["base64 of something else", Buffer.from("not a certificate at all").toString("base64")],
    ["empty", ""],
    ["padding inside", `${base64Of(GOOD).slice(0, 40)}=${base64Of(GOOD).slice(40)}`],
    ["too much padding", `${base64Of(GOOD)}===`],
    ["a PEM header", pem(GOOD)],
    ["digits only (which the parser reads as a number)", "12345678"],
    ["a stray character first", `*${base64Of(GOOD)}`],
    ["a stray character inside", `${base64Of(GOOD).slice(0, 40)}*${base64Of(GOOD).slice(40)}`],
    ["a truncated certificate", base64Of(GOOD).slice(0, 400)],
  ])("refuses a certificate that is %s", (_name, cert) => {
    const keys = `${keyDescriptor(base64Of("p256-sha256"))}${keyDescriptor(cert)}`;
    expect(refusal(metadata({ keys }))).toBe("signing certificate 2 is not a parseable X.509 certificate");
  });

  it("accepts base64 with its padding", () => {
    const cert = base64Of("p256-sha256");
    expect(cert.endsWith("=")).toBe(true);
    expect(read(metadata({ keys: keyDescriptor(cert) })).SigningCertificates).toHaveLength(1);
  });

  it("refuses an expired certificate, and one not valid yet, at the edges", () => {
    const cert = certOf(GOOD);
    const to = new Date(cert.validTo);
    const from = new Date(cert.validFrom);
    const subject = "C=DE, O=Example IdP, CN=idp.example.com";
    expect(read(metadata(), new Date(to.getTime() - 1)).SigningCertificates).toHaveLength(1);
    expect(refusal(metadata(), to)).toBe(`signing certificate 1 (${subject}) expired on ${to.toISOString()}`);
    expect(read(metadata(), from).SigningCertificates).toHaveLength(1);
    expect(refusal(metadata(), new Date(from.getTime() - 1))).toBe(
      `signing certificate 1 (${subject}) is not valid before ${from.toISOString()}`,
    );
  });

  it("refuses a weak certificate, naming it and why", () => {
    const keys = `${keyDescriptor(base64Of(GOOD))}${keyDescriptor(base64Of("rsa2048-sha1"))}`;
    expect(refusal(metadata({ keys }))).toBe(
      "signing certificate 2 (CN=rsa2048-sha1.idp.example) is signed with SHA-1; SHA-256 or stronger is required (no SHA-1, no MD5)",
    );
  });
});

describe("certificate strength", () => {
  const SIG = (what: string) => `is signed with ${what}; SHA-256 or stronger is required (no SHA-1, no MD5)`;
  it.each([
    ["rsa2048-sha256", undefined],
    ["rsa2048-sha384", undefined],
    ["rsa2048-sha512", undefined],
    ["rsapss2048-sha256", undefined],
    ["p256-sha256", undefined],
    ["p384-sha384", undefined],
    ["p521-sha512", undefined],
    ["ed25519", undefined],
    ["ed448", undefined],
    ["rsa2048-by-ed25519", undefined],
    ["rsa2048-by-ed448", undefined],
    ["rsa2047-sha256", `has a 2047-bit RSA key; at least ${MIN_RSA_BITS} bits are required`],
    ["rsa1024-sha256", "has a 1024-bit RSA key; at least 2048 bits are required"],
    ["rsapss1024-sha256", "has a 1024-bit RSA key; at least 2048 bits are required"],
    ["p224-sha256", "has an EC key on secp224r1; P-256, P-384 or P-521 is required"],
    ["secp256k1-sha256", "has an EC key on secp256k1; P-256, P-384 or P-521 is required"],
    ["brainpool-sha256", "has an EC key on brainpoolP256r1; P-256, P-384 or P-521 is required"],
    ["dsa2048-sha256", "has a dsa key; RSA (at least 2048 bits), EC (P-256 or larger) or EdDSA is required"],
    ["rsa2048-sha1", SIG("SHA-1")],
    ["p256-sha1", SIG("SHA-1")],
    ["rsa2048-by-p256-sha1", SIG("SHA-1")],
    ["ed25519-by-rsa-sha1", SIG("SHA-1")],
    ["rsa2048-md5", SIG("1.2.840.113549.1.1.4")],
    ["rsa2048-by-dsa", SIG("2.16.840.1.101.3.4.3.2")],
  ])("%s: %s", (name, problem) => {
    expect(weakCertificate(certOf(name))).toBe(problem);
  });

  // Corners no real certificate reaches through node:crypto: the key's details missing.
  const strong = () => certOf("p256-sha256");
  const withKey = (type: string | undefined, details: Record<string, unknown> | undefined) =>
    ({ publicKey: { asymmetricKeyType: type, asymmetricKeyDetails: details }, raw: strong().raw }) as unknown as X509Certificate;
  it.each([
    ["rsa", {}, "has a ?-bit RSA key; at least 2048 bits are required"],
    ["rsa", undefined, "has a ?-bit RSA key; at least 2048 bits are required"],
    ["rsa-pss", { modulusLength: 2048 }, undefined],
    ["ec", {}, "has an EC key on an unknown curve; P-256, P-384 or P-521 is required"],
    ["ec", { namedCurve: "prime256v1" }, undefined],
    ["ed448", {}, undefined],
    ["x25519", {}, "has a x25519 key; RSA (at least 2048 bits), EC (P-256 or larger) or EdDSA is required"],
    [undefined, {}, "has a unknown key; RSA (at least 2048 bits), EC (P-256 or larger) or EdDSA is required"],
  ])("a %s key with details %j: %s", (type, details, problem) => {
    expect(weakCertificate(withKey(type, details))).toBe(problem);
  });

  it("refuses a certificate whose signature algorithm cannot be read", () => {
    const cert = { publicKey: strong().publicKey, raw: Buffer.from("not DER") } as unknown as X509Certificate;
    expect(weakCertificate(cert)).toBe("is signed with an algorithm idplane does not recognise");
  });
});

// What sign-in verifies an assertion's signature with (src/sign-in/federation/saml.ts): the stored
// metadata's signing certificates as PEM, read again from the XML.
describe("the signing certificates as PEM (idpSigningCertificates)", () => {
  it("gives every signing certificate, with or without use, in order, as openssl writes them", () => {
    const keys = [
      keyDescriptor(base64Of("p256-sha256")),
      keyDescriptor(base64Of("rsa1024-sha256"), ' use="encryption"'),
      keyDescriptor(base64Of("ed25519"), ""),
      `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64Of("p384-sha384")}</ds:X509Certificate><ds:X509Certificate>${base64Of("rsa2048-sha512")}</ds:X509Certificate></ds:X509Data><ds:X509Data><ds:X509SubjectName>CN=x</ds:X509SubjectName></ds:X509Data></ds:KeyInfo><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64Of("p521-sha512")}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
    ].join("");
    const names = ["p256-sha256", "ed25519", "p384-sha384", "rsa2048-sha512", "p521-sha512"];
    const got = idpSigningCertificates(metadata({ keys }));
    expect(got).toEqual(names.map(pem));
    expect(got.map((p) => new X509Certificate(p).fingerprint256)).toEqual(names.map((n) => certOf(n).fingerprint256));
  });

  it("lays the base64 out again in lines of 64, whatever the metadata's whitespace", () => {
    const wrapped = base64Of(GOOD).replace(/(.{1,19})/g, "$1\n\t  ");
    const [got] = idpSigningCertificates(metadata({ keys: keyDescriptor(` \n${wrapped}\r\n`) }));
    expect(got).toBe(pem(GOOD));
    const lines = got!.split("\n");
    expect(lines[0]).toBe("-----BEGIN CERTIFICATE-----");
    expect(lines.at(-2)).toBe("-----END CERTIFICATE-----");
    expect(lines.at(-1)).toBe("");
    expect(lines.slice(1, -3).every((l) => l.length === 64)).toBe(true);
    expect(lines.at(-3)!.length).toBeGreaterThan(0);
    expect(lines.at(-3)!.length).toBeLessThanOrEqual(64);
  });

  it("keeps a short or empty certificate text as it is (its strength was checked when stored)", () => {
    expect(idpSigningCertificates(metadata({ keys: keyDescriptor("QUJD") }))).toEqual([
      "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n",
    ]);
    expect(idpSigningCertificates(metadata({ keys: keyDescriptor("") }))).toEqual([
      "-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n",
    ]);
    expect(idpSigningCertificates(metadata({ keys: keyDescriptor("A".repeat(65)) }))).toEqual([
      `-----BEGIN CERTIFICATE-----\n${"A".repeat(64)}\nA\n-----END CERTIFICATE-----\n`,
    ]);
  });

  it("gives an expired certificate too (no expiry check at sign-in)", () => {
    const later = new Date(new Date(certOf(GOOD).validTo).getTime() + 86_400_000);
    expect(refusal(metadata(), later)).toMatch(/expired on/);
    expect(idpSigningCertificates(metadata())).toEqual([pem(GOOD)]);
  });

  it("takes only the descriptor supporting SAML 2.0", () => {
    const saml1 = `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol">${keyDescriptor(base64Of("p256-sha256"))}</md:IDPSSODescriptor>`;
    const xml = metadata().replace("<md:IDPSSODescriptor", `${saml1}<md:IDPSSODescriptor`);
    expect(idpSigningCertificates(xml)).toEqual([pem(GOOD)]);
    const spaced = metadata({ idpAttributes: `protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol\n\t${PROTOCOL}"` });
    expect(idpSigningCertificates(spaced)).toEqual([pem(GOOD)]);
  });

  it.each([
    [
      "no IDPSSODescriptor supporting SAML 2.0",
      metadata({ idpAttributes: 'protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol"' }),
    ],
    ["a longer protocol name", metadata({ idpAttributes: `protocolSupportEnumeration="${PROTOCOL}x"` })],
    ["no EntityDescriptor", `<md:EntitiesDescriptor xmlns:md="${SAML2_METADATA}"/>`],
    ["no signing KeyDescriptor", metadata({ keys: keyDescriptor(base64Of(GOOD), ' use="encryption"') })],
    ["a KeyDescriptor of another use", metadata({ keys: keyDescriptor(base64Of(GOOD), ' use="signingx"') })],
    ["no KeyDescriptor", metadata({ keys: "" })],
  ])("gives none for %s", (_, xml) => {
    expect(idpSigningCertificates(xml)).toEqual([]);
  });
});
