// The checks of a SAML Response that are idplane's own, around @node-saml/node-saml's (signature,
// decryption, audience, times, InResponseTo against the stored request; saml.ts):
//   checkDocument   the document as posted, before any signature is looked at: no DOCTYPE, no XML
//                   comment (the NameID comment-injection attack relies on canonicalization
//                   dropping comments), one assertion in the whole document (signature wrapping),
//                   encrypted when the connection wants it, a Destination that is our ACS;
//   checkAssertion  the verified assertion only (node-saml's parse of the signed bytes): the IdP's
//                   entity id as Issuer, a bearer SubjectConfirmation with our ACS as Recipient and
//                   this sign-in's request as InResponseTo.
// Each refusal is a FederationFailure whose detail names the check, never the assertion's content.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { FederationFailure } from "./profile.js";

const BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

export const fail = (detail: string) => new FederationFailure("invalid_response", detail);

/**
 * The posted document read generically (fast-xml-parser, entities off, nesting bounded), keeping
 * comments and element order: only to look at its shape, never to read a value that is trusted.
 */
const shapeParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  commentPropName: "#comment",
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 64,
});
type Ordered = Record<string, unknown> & { ":@"?: Record<string, string> };
const localName = (tag: string) => tag.slice(tag.indexOf(":") + 1);

function walk(list: unknown, visit: (tag: string, node: Ordered) => void) {
  if (!Array.isArray(list)) return;
  for (const node of list as Ordered[]) {
    for (const [tag, children] of Object.entries(node)) {
      if (tag === ":@") continue;
      visit(tag, node);
      walk(children, visit);
    }
  }
}

/** Refusals read from the document as posted, before any signature is looked at. */
export function checkDocument(xml: string, acs: string, wantEncrypted: boolean) {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw fail("the response has a DOCTYPE or entity declaration");
  if (XMLValidator.validate(xml) !== true) throw fail("the response is not well-formed XML");
  let doc: unknown;
  try {
    doc = shapeParser.parse(xml);
  } catch {
    throw fail("the response could not be read");
  }
  const roots = (Array.isArray(doc) ? (doc as Ordered[]) : []).flatMap((n) =>
    Object.keys(n).filter((k) => k !== ":@" && k !== "#text" && k !== "#comment"),
  );
  const root = (doc as Ordered[]).find((n) => roots[0] !== undefined && roots[0] in n);
  if (roots.length !== 1 || localName(roots[0]!) !== "Response") throw fail("the message is not a SAML 2.0 Response");
  let comments = 0;
  let assertions = 0;
  let plain = 0;
  walk(doc, (tag) => {
    if (tag === "#comment") comments++;
    else if (localName(tag) === "Assertion" || localName(tag) === "EncryptedAssertion") {
      assertions++;
      if (localName(tag) === "Assertion") plain++;
    }
  });
  // Canonicalization drops comments, so "admin@example.com<!---->.evil.test" verifies as the IdP
  // signed it; a reader taking the first text node sees another user. No IdP sends comments.
  if (comments > 0) throw fail("the response contains XML comments");
  // An assertion in any other place (Extensions, Object, inside another assertion) is how
  // signature-wrapping attacks smuggle the signed original beside a forged one.
  if (assertions > 1) throw fail("the response holds more than one assertion");
  // EnabledEncryption: the SP metadata asks for encrypted assertions; one sent in the clear is
  // refused, as with Keycloak's "want assertions encrypted".
  if (wantEncrypted && plain > 0) throw fail("the assertion is not encrypted, and the connection has EnabledEncryption");
  const destination = root?.[":@"]?.["@Destination"];
  if (destination !== undefined && destination !== acs) throw fail("the response's Destination is not this assertion consumer service");
}

export type XmlJs = Record<string, unknown> & { $?: Record<string, string>; _?: string };
const first = (v: unknown): XmlJs | undefined => (Array.isArray(v) ? (v[0] as XmlJs | undefined) : undefined);
const all = (v: unknown): XmlJs[] => (Array.isArray(v) ? (v as XmlJs[]) : []);
const textOf = (v: XmlJs | undefined) => (typeof v === "string" ? v : typeof v?._ === "string" ? v._ : undefined);

/** Refusals read from the verified assertion (node-saml's parse of the signed bytes only). */
export function checkAssertion(assertion: XmlJs, expect: { idpEntityId: string; acs: string; requestId: string }) {
  const issuer = textOf(first(assertion.Issuer))?.trim();
  if (issuer !== expect.idpEntityId) throw fail("the assertion's Issuer is not the connection's IdP entity id");
  const confirmations = all(first(assertion.Subject)?.SubjectConfirmation).filter((c) => c.$?.Method === BEARER);
  if (confirmations.length === 0) throw fail("the assertion has no bearer SubjectConfirmation");
  const data = confirmations.map((c) => first(c.SubjectConfirmationData)?.$ ?? {});
  if (!data.some((d) => d.Recipient === expect.acs)) throw fail("the assertion's Recipient is not this assertion consumer service");
  if (!data.some((d) => d.Recipient === expect.acs && d.InResponseTo === expect.requestId))
    throw fail("the assertion's InResponseTo is not this sign-in's request");
}

/** The latest moment the assertion could still be accepted, for the replay cache. */
export function acceptableUntil(assertion: XmlJs, skewMs: number): Date | undefined {
  const times = [
    first(assertion.Conditions)?.$?.NotOnOrAfter,
    ...all(first(assertion.Subject)?.SubjectConfirmation).map((c) => first(c.SubjectConfirmationData)?.$?.NotOnOrAfter),
  ]
    .map((t) => (t ? Date.parse(t) : Number.NaN))
    .filter((t) => Number.isFinite(t));
  return times.length ? new Date(Math.max(...times) + skewMs) : undefined;
}
