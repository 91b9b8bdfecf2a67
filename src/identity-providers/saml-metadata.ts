// A SAML connection's IdpMetadata, read with fast-xml-parser under rules that make hostile XML
// harmless: a DOCTYPE (the door to entity expansion, "billion laughs", and external entities such as
// file:///etc/passwd) is refused before parsing, entity processing is off, nesting is bounded, and
// the size is bounded by the schema (IDP_METADATA_MAX). From the one EntityDescriptor it takes the
// entity id, the SingleSignOnService endpoints with their bindings and the signing certificates,
// each checked with node:crypto (parseable, valid now, strong enough: saml-certificates.ts); the
// EntityDescriptor must be in the SAML 2.0 metadata namespace. A refusal is
// InvalidParameter.IdpMetadata with the reason.
import { X509Certificate } from "node:crypto";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { errors } from "../core/errors.js";
import { weakCertificate } from "./saml-certificates.js";
import type { SamlIdp } from "./tables.js";

/** Real metadata of one IdP with a few certificates is a few KiB; federation aggregates are refused anyway. */
export const IDP_METADATA_MAX = 128 * 1024;

const SAML2_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
export const SAML2_METADATA = "urn:oasis:names:tc:SAML:2.0:metadata";
export const SAML_BINDINGS = {
  redirect: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
  post: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
} as const;
const BROWSER_BINDINGS = new Set<string>(Object.values(SAML_BINDINGS));

// Only what differs from fast-xml-parser's defaults (htmlEntities is off by default; ignorePiTags
// drops the <?xml ...?> declaration too). Element texts may come back as numbers (parseTagValue):
// the one text read, a certificate's base64, is refused either way when it is a number.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  removeNSPrefix: true,
  processEntities: false,
  parseAttributeValue: false,
  ignorePiTags: true,
  maxNestedTags: 32,
});

/** The same rules, keeping prefixes: only to read the root element's namespace. */
const namespaced = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  removeNSPrefix: false,
  processEntities: false,
  ignorePiTags: true,
  maxNestedTags: 32,
  stopNodes: ["*.*"],
});

/**
 * The namespace of the root element, which readIdpMetadata has already found to be the one
 * EntityDescriptor and nothing beside it: its prefix's declaration, or the default one ("" when it
 * declares none); undefined when the root has no attributes at all (its content is then a string).
 */
function rootNamespace(xml: string): string | undefined {
  const doc = namespaced.parse(xml) as Node;
  const name = Object.keys(doc)[0]!;
  const root = nodes(doc[name])[0];
  if (!root) return undefined;
  const prefix = name.includes(":") ? name.slice(0, name.indexOf(":")) : "";
  return attr(root, prefix ? `xmlns:${prefix}` : "xmlns");
}

const refused = (why: string) => errors.invalidParameter("IdpMetadata", `IdpMetadata ${why}`);

const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" };
/**
 * The five predefined XML entities and character references (&#115; &#x73;), decoded by hand since
 * entity processing is off; in one pass, so "&amp;lt;" is "&lt;". A reference to no character (0,
 * a surrogate, beyond U+10FFFF) is left as written, as any other entity name is.
 */
const decoded = (s: string) =>
  s.replace(/&(?:(lt|gt|quot|apos|amp)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));/g, (whole, name?: string, dec?: string, hex?: string) => {
    if (name) return PREDEFINED[name]!;
    const code = dec ? Number(dec) : Number.parseInt(hex!, 16);
    return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : whole;
  });

type Node = Record<string, unknown>;
/** The parser gives one child as itself and repeated children as an array: either way, a list. */
const listOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const nodes = (v: unknown): Node[] => listOf(v).filter((n): n is Node => typeof n === "object" && n !== null);
const attr = (n: Node, name: string) => (typeof n[`@${name}`] === "string" ? decoded(n[`@${name}`] as string).trim() : "");
const text = (v: unknown) =>
  typeof v === "string"
    ? v
    : typeof v === "object" && v !== null && typeof (v as Node)["#text"] === "string"
      ? ((v as Node)["#text"] as string)
      : "";

function parsed(xml: string): Node {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml))
    throw refused("has a DOCTYPE or entity declaration; SAML metadata needs neither, and idplane refuses both");
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw refused(`is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  try {
    return parser.parse(xml) as Node;
  } catch (err) {
    throw refused(`could not be read: ${(err as Error).message.slice(0, 200)}`);
  }
}

function ssoServices(idp: Node): SamlIdp["SingleSignOnServices"] {
  const services = nodes(idp["SingleSignOnService"]).map((s) => ({ Binding: attr(s, "Binding"), Location: attr(s, "Location") }));
  const usable = services.filter((s) => BROWSER_BINDINGS.has(s.Binding));
  if (usable.length === 0) throw refused("has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding");
  for (const s of usable) {
    if (!URL.canParse(s.Location) || new URL(s.Location).protocol !== "https:") {
      throw refused(
        `names the SingleSignOnService location ${JSON.stringify(s.Location.slice(0, 200))}, which is not an absolute https URL`,
      );
    }
  }
  return usable;
}

/** The X509Certificate elements of the IdP's signing KeyDescriptors (use="signing" or no use). */
const signingBlobs = (idp: Node) =>
  nodes(idp["KeyDescriptor"])
    .filter((k) => ["", "signing"].includes(attr(k, "use")))
    .flatMap((k) => nodes(k["KeyInfo"]).flatMap((info) => nodes(info["X509Data"]).flatMap((d) => listOf(d["X509Certificate"]))));

function signingCertificates(idp: Node, now: Date): SamlIdp["SigningCertificates"] {
  const blobs = signingBlobs(idp);
  if (blobs.length === 0) throw refused('has no signing certificate (KeyDescriptor use="signing" with an X509Certificate)');
  return blobs.map((blob, i) => {
    const base64 = text(blob).replace(/\s+/g, "");
    let cert: X509Certificate;
    try {
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) throw new Error("not base64");
      cert = new X509Certificate(Buffer.from(base64, "base64"));
    } catch {
      throw refused(`signing certificate ${i + 1} is not a parseable X.509 certificate`);
    }
    const subject = cert.subject.replace(/\n/g, ", ");
    const weak = weakCertificate(cert);
    if (weak) throw refused(`signing certificate ${i + 1} (${subject}) ${weak}`);
    if (new Date(cert.validTo) <= now)
      throw refused(`signing certificate ${i + 1} (${subject}) expired on ${new Date(cert.validTo).toISOString()}`);
    if (new Date(cert.validFrom) > now)
      throw refused(`signing certificate ${i + 1} (${subject}) is not valid before ${new Date(cert.validFrom).toISOString()}`);
    return { Subject: subject, NotAfter: new Date(cert.validTo).toISOString(), Fingerprint256: cert.fingerprint256 };
  });
}

/** The IdP's descriptor of metadata already checked by readIdpMetadata (as stored), or undefined. */
function idpDescriptor(xml: string): Node | undefined {
  const entity = nodes(parsed(xml)["EntityDescriptor"])[0];
  return (
    entity && nodes(entity["IDPSSODescriptor"]).find((d) => attr(d, "protocolSupportEnumeration").split(/\s+/).includes(SAML2_PROTOCOL))
  );
}

/**
 * The signing certificates of stored metadata as PEM: what an assertion's signature is verified
 * with at sign-in (src/sign-in/federation/saml.ts). Their strength was checked when the metadata was
 * stored; expiry is not checked again here (an IdP's signing key is trusted as configured, as
 * Shibboleth and most service providers do).
 */
export function idpSigningCertificates(xml: string): string[] {
  const idp = idpDescriptor(xml);
  if (!idp) return [];
  return signingBlobs(idp).map((blob) => {
    const base64 = text(blob).replace(/\s+/g, "");
    return `-----BEGIN CERTIFICATE-----\n${base64.match(/.{1,64}/g)?.join("\n") ?? ""}\n-----END CERTIFICATE-----\n`;
  });
}

/** What a SAML login needs from the IdP's metadata; InvalidParameter.IdpMetadata with the reason otherwise. */
export function readIdpMetadata(xml: string, now: Date): SamlIdp {
  const doc = parsed(xml);
  const entities = nodes(doc["EntityDescriptor"]);
  // fast-xml-parser's validator lets a second root element follow a self-closed or closed first one
  // ("<a/><b/>"), which XML does not: nothing but the one EntityDescriptor may stand at the root.
  if (entities.length !== 1 || Object.keys(doc).length !== 1)
    throw refused("must have one EntityDescriptor at its root (the metadata of one identity provider)");
  const entity = entities[0]!;
  if (rootNamespace(xml) !== SAML2_METADATA)
    throw refused(`must have its EntityDescriptor in the SAML metadata namespace ${SAML2_METADATA}`);
  const entityId = attr(entity, "entityID");
  if (!entityId) throw refused("has an EntityDescriptor without an entityID");
  const idp = nodes(entity["IDPSSODescriptor"]).find((d) => attr(d, "protocolSupportEnumeration").split(/\s+/).includes(SAML2_PROTOCOL));
  if (!idp) throw refused(`has no IDPSSODescriptor supporting ${SAML2_PROTOCOL}`);
  return {
    EntityId: entityId,
    SingleSignOnServices: ssoServices(idp),
    SigningCertificates: signingCertificates(idp, now),
    WantAuthnRequestsSigned: attr(idp, "WantAuthnRequestsSigned") === "true",
  };
}
