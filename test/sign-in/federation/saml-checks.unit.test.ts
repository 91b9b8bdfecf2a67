// idplane's own checks of a SAML Response (src/sign-in/federation/saml-checks.ts), beside
// node-saml's: the document as posted (no DOCTYPE or entities, well-formed, one Response root, no
// comments, at most one assertion, encryption when asked, Destination), the verified assertion
// (Issuer, bearer SubjectConfirmation, Recipient and InResponseTo together) and the replay cache's
// horizon. The integration tests (test/sign-in/saml*.test.ts) drive the same checks through a
// signed IdP; these pin each rule and its message, one refusal per row.
import { describe, expect, it } from "vitest";
import { FederationFailure } from "../../../src/sign-in/federation/profile.js";
import { acceptableUntil, checkAssertion, checkDocument, fail, type XmlJs } from "../../../src/sign-in/federation/saml-checks.js";

const ACS = "https://auth.example.test/saml2/idpresponse";
const P = 'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"';
const response = (inner: string, attrs = `Destination="${ACS}"`) => `<samlp:Response ${P} ID="_r" ${attrs}>${inner}</samlp:Response>`;
const ASSERTION = '<saml:Assertion ID="_a"><saml:Issuer>idp</saml:Issuer></saml:Assertion>';
const ENCRYPTED = '<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc="urn:x"/></saml:EncryptedAssertion>';

/** The refusal's detail, or "accepted". */
function documentVerdict(xml: string, acs = ACS, wantEncrypted = false): string {
  try {
    checkDocument(xml, acs, wantEncrypted);
    return "accepted";
  } catch (err) {
    expect(err).toBeInstanceOf(FederationFailure);
    expect((err as FederationFailure).reason).toBe("invalid_response");
    return (err as FederationFailure).detail;
  }
}

const DOCTYPE = "the response has a DOCTYPE or entity declaration";
const MALFORMED = "the response is not well-formed XML";
const UNREADABLE = "the response could not be read";
const NOT_RESPONSE = "the message is not a SAML 2.0 Response";
const COMMENTS = "the response contains XML comments";
const TWO = "the response holds more than one assertion";
const CLEAR = "the assertion is not encrypted, and the connection has EnabledEncryption";
const DESTINATION = "the response's Destination is not this assertion consumer service";

describe("checkDocument", () => {
  it.each([
    ["a plain assertion", response(ASSERTION)],
    ["an encrypted assertion", response(ENCRYPTED)],
    ["no assertion at all (node-saml refuses it later)", response("<samlp:Status/>")],
    ["no Destination", response(ASSERTION, "")],
    ["a root without any attribute", "<Response><Assertion/></Response>"],
    ["an unprefixed Response and Assertion", `<Response Destination="${ACS}"><Assertion/></Response>`],
    ["an XML declaration", `<?xml version="1.0" encoding="UTF-8"?>${response(ASSERTION)}`],
    ["a processing instruction before the root", `<?xml version="1.0"?><?xml-stylesheet href="a"?>${response(ASSERTION)}`],
    ["text after the root (not a second root)", `<Response Destination="${ACS}"/>text`],
    ["nesting 65 deep", response(`${"<a>".repeat(64)}${"</a>".repeat(64)}`)],
    ["an entity reference left as text", response("<saml:Issuer>a&amp;b&lt;</saml:Issuer>")],
    ["other attributes on the root", response(ASSERTION, `Version="2.0" Destination="${ACS}" IssueInstant="2026-01-01T00:00:00Z"`)],
  ])("accepts %s", (_, xml) => {
    expect(documentVerdict(xml)).toBe("accepted");
  });

  it.each([
    ["a DOCTYPE", `<!DOCTYPE r>${response(ASSERTION)}`, DOCTYPE],
    ["a lower-case doctype", `<!doctype r>${response(ASSERTION)}`, DOCTYPE],
    ["an entity declaration alone", response(`<!ENTITY x "y">${ASSERTION}`), DOCTYPE],
    ["a lower-case entity declaration", response(`<!entity x "y">${ASSERTION}`), DOCTYPE],
    ["an unclosed element", `<samlp:Response ${P}><saml:Assertion></samlp:Response>`, MALFORMED],
    ["two roots (the validator lets them through)", `${response(ASSERTION)}<samlp:Response ${P}/>`, NOT_RESPONSE],
    ["nesting 66 deep", response(`${"<a>".repeat(65)}${"</a>".repeat(65)}`), UNREADABLE],
    ["an AuthnRequest", `<samlp:AuthnRequest ${P} ID="_q"/>`, NOT_RESPONSE],
    ["a Response only as a prefix", `<samlp:ResponseX ${P}/>`, NOT_RESPONSE],
    ["a Response only as a suffix", `<samlp:XResponse ${P}/>`, NOT_RESPONSE],
    [
      "a comment inside",
      response(`<saml:Assertion><saml:NameID>admin@example.com<!---->.evil.test</saml:NameID></saml:Assertion>`),
      COMMENTS,
    ],
    ["a comment before the root", `<!-- hi -->${response(ASSERTION)}`, COMMENTS],
    ["a comment after the root", `${response(ASSERTION)}<!-- hi -->`, COMMENTS],
    ["two assertions side by side", response(ASSERTION + ASSERTION), TWO],
    ["an assertion inside Extensions", response(`<samlp:Extensions>${ASSERTION}</samlp:Extensions>${ASSERTION}`), TWO],
    ["an assertion inside an assertion", response(`<saml:Assertion>${ASSERTION}</saml:Assertion>`), TWO],
    ["an encrypted and a plain assertion", response(ENCRYPTED + ASSERTION), TWO],
    ["two encrypted assertions", response(ENCRYPTED + ENCRYPTED), TWO],
    ["an unprefixed second assertion", response(`${ASSERTION}<Assertion/>`), TWO],
    ["another Destination", response(ASSERTION, 'Destination="https://elsewhere.example.test/acs"'), DESTINATION],
    ["an empty Destination", response(ASSERTION, 'Destination=""'), DESTINATION],
    ["a Destination differing in case", response(ASSERTION, `Destination="${ACS.toUpperCase()}"`), DESTINATION],
  ])("refuses %s", (_, xml, detail) => {
    expect(documentVerdict(xml)).toBe(detail);
  });

  it("reads Destination as text, never as a number or a boolean", () => {
    expect(documentVerdict(response(ASSERTION, 'Destination="1"'), "1")).toBe("accepted");
    expect(documentVerdict(response(ASSERTION, 'Destination="true"'), "true")).toBe("accepted");
    expect(documentVerdict(response(ASSERTION, 'Destination="01"'), "1")).toBe(DESTINATION);
  });

  it("holds an assertion in the clear to EnabledEncryption", () => {
    expect(documentVerdict(response(ASSERTION), ACS, true)).toBe(CLEAR);
    expect(documentVerdict(`<Response><Assertion/></Response>`, ACS, true)).toBe(CLEAR);
    expect(documentVerdict(response(ENCRYPTED), ACS, true)).toBe("accepted");
    expect(documentVerdict(response("<samlp:Status/>"), ACS, true)).toBe("accepted");
  });

  it("checks in order: declarations, form, root, comments, count, encryption, Destination", () => {
    const everything = `${response(`<!-- c -->${ASSERTION}${ASSERTION}`, 'Destination="x"')}`;
    expect(documentVerdict(`<!DOCTYPE r>${everything}`)).toBe(DOCTYPE);
    expect(documentVerdict(everything)).toBe(COMMENTS);
    expect(documentVerdict(response(ASSERTION + ASSERTION, 'Destination="x"'), ACS, true)).toBe(TWO);
    expect(documentVerdict(response(ASSERTION, 'Destination="x"'), ACS, true)).toBe(CLEAR);
  });
});

const BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const REQUEST = "_req1";
const expectation = { idpEntityId: "https://idp.example.test/", acs: ACS, requestId: REQUEST };
/** A verified assertion as node-saml hands it over (xml2js, every child a list, attributes in `$`). */
function assertion(over: { issuer?: unknown; confirmations?: unknown[]; subject?: unknown } = {}): XmlJs {
  const confirmations = over.confirmations ?? [confirmation()];
  return {
    Issuer:
      "issuer" in over ? over.issuer : [{ _: expectation.idpEntityId, $: { Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity" } }],
    Subject: "subject" in over ? over.subject : [{ NameID: ["u"], SubjectConfirmation: confirmations }],
  } as XmlJs;
}
function confirmation(method: string = BEARER, data: Record<string, string> | null = { Recipient: ACS, InResponseTo: REQUEST }) {
  return { $: { Method: method }, ...(data === null ? {} : { SubjectConfirmationData: [{ $: data }] }) };
}

function assertionVerdict(a: XmlJs): string {
  try {
    checkAssertion(a, expectation);
    return "accepted";
  } catch (err) {
    expect(err).toBeInstanceOf(FederationFailure);
    expect((err as FederationFailure).reason).toBe("invalid_response");
    return (err as FederationFailure).detail;
  }
}

const ISSUER = "the assertion's Issuer is not the connection's IdP entity id";
const NO_BEARER = "the assertion has no bearer SubjectConfirmation";
const RECIPIENT = "the assertion's Recipient is not this assertion consumer service";
const IN_RESPONSE_TO = "the assertion's InResponseTo is not this sign-in's request";

describe("checkAssertion", () => {
  it.each([
    ["the usual assertion", assertion()],
    ["an Issuer given as plain text", assertion({ issuer: [expectation.idpEntityId] })],
    ["an Issuer with whitespace around it", assertion({ issuer: [{ _: `\n  ${expectation.idpEntityId}\t` }] })],
    [
      "a holder-of-key confirmation beside the bearer one",
      assertion({ confirmations: [confirmation("urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"), confirmation()] }),
    ],
    [
      "a second bearer confirmation for another recipient",
      assertion({ confirmations: [confirmation(BEARER, { Recipient: "https://other.test/acs", InResponseTo: "x" }), confirmation()] }),
    ],
  ])("accepts %s", (_, a) => {
    expect(assertionVerdict(a)).toBe("accepted");
  });

  it.each([
    ["another Issuer", assertion({ issuer: [{ _: "https://evil.example.test/" }] }), ISSUER],
    ["an Issuer differing in a trailing slash", assertion({ issuer: ["https://idp.example.test"] }), ISSUER],
    ["no Issuer", assertion({ issuer: undefined }), ISSUER],
    ["an Issuer that is not a list", assertion({ issuer: expectation.idpEntityId }), ISSUER],
    ["an Issuer element without text", assertion({ issuer: [{ $: { Format: "x" } }] }), ISSUER],
    ["an Issuer whose text is not a string", assertion({ issuer: [{ _: 7 }] }), ISSUER],
    ["no Subject", assertion({ subject: undefined }), NO_BEARER],
    ["a Subject without confirmations", assertion({ subject: [{ NameID: ["u"] }] }), NO_BEARER],
    ["confirmations that are not a list", assertion({ subject: [{ SubjectConfirmation: confirmation() }] }), NO_BEARER],
    [
      "only a holder-of-key confirmation",
      assertion({ confirmations: [confirmation("urn:oasis:names:tc:SAML:2.0:cm:holder-of-key")] }),
      NO_BEARER,
    ],
    [
      "a confirmation without Method",
      assertion({ confirmations: [{ SubjectConfirmationData: [{ $: { Recipient: ACS, InResponseTo: REQUEST } }] }] }),
      NO_BEARER,
    ],
    ["a bearer confirmation without data", assertion({ confirmations: [confirmation(BEARER, null)] }), RECIPIENT],
    ["data without attributes", assertion({ confirmations: [{ $: { Method: BEARER }, SubjectConfirmationData: [{}] }] }), RECIPIENT],
    [
      "another Recipient",
      assertion({ confirmations: [confirmation(BEARER, { Recipient: "https://other.test/acs", InResponseTo: REQUEST })] }),
      RECIPIENT,
    ],
    [
      "our Recipient only on a holder-of-key confirmation",
      assertion({
        confirmations: [
          confirmation("urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"),
          confirmation(BEARER, { Recipient: "https://other.test/acs", InResponseTo: REQUEST }),
        ],
      }),
      RECIPIENT,
    ],
    ["no InResponseTo (IdP-initiated)", assertion({ confirmations: [confirmation(BEARER, { Recipient: ACS })] }), IN_RESPONSE_TO],
    [
      "another request's InResponseTo",
      assertion({ confirmations: [confirmation(BEARER, { Recipient: ACS, InResponseTo: "_other" })] }),
      IN_RESPONSE_TO,
    ],
    [
      "our Recipient and our request on two different confirmations",
      assertion({
        confirmations: [
          confirmation(BEARER, { Recipient: ACS, InResponseTo: "_other" }),
          confirmation(BEARER, { Recipient: "https://other.test/acs", InResponseTo: REQUEST }),
        ],
      }),
      IN_RESPONSE_TO,
    ],
  ])("refuses %s", (_, a, detail) => {
    expect(assertionVerdict(a)).toBe(detail);
  });

  it("checks the Issuer before the confirmations", () => {
    expect(assertionVerdict(assertion({ issuer: ["x"], subject: undefined }))).toBe(ISSUER);
  });
});

describe("acceptableUntil", () => {
  const at = (conditions?: string, ...subject: (string | undefined)[]): XmlJs =>
    ({
      Conditions: conditions === undefined ? [{}] : [{ $: { NotOnOrAfter: conditions } }],
      Subject: [
        { SubjectConfirmation: subject.map((t) => ({ SubjectConfirmationData: [t === undefined ? {} : { $: { NotOnOrAfter: t } }] })) },
      ],
    }) as XmlJs;

  it("is the latest NotOnOrAfter plus the skew", () => {
    expect(acceptableUntil(at("2026-01-01T00:05:00Z", "2026-01-01T00:03:00Z"), 1000)).toEqual(new Date("2026-01-01T00:05:01Z"));
    expect(acceptableUntil(at("2026-01-01T00:05:00Z", "2026-01-01T00:09:00Z", "2026-01-01T00:07:00Z"), 0)).toEqual(
      new Date("2026-01-01T00:09:00Z"),
    );
    expect(acceptableUntil(at(undefined, "2026-01-01T00:03:00Z"), 180_000)).toEqual(new Date("2026-01-01T00:06:00Z"));
    expect(acceptableUntil(at("2026-01-01T00:05:00Z"), 0)).toEqual(new Date("2026-01-01T00:05:00Z"));
  });

  it("skips times that do not parse, and is undefined without any", () => {
    expect(acceptableUntil(at("not a time", "2026-01-01T00:03:00Z"), 0)).toEqual(new Date("2026-01-01T00:03:00Z"));
    expect(acceptableUntil(at("", "2026-01-01T00:03:00Z"), 0)).toEqual(new Date("2026-01-01T00:03:00Z"));
    expect(acceptableUntil(at(undefined, undefined), 1000)).toBeUndefined();
    expect(acceptableUntil(at("garbage"), 1000)).toBeUndefined();
    expect(acceptableUntil({} as XmlJs, 1000)).toBeUndefined();
    expect(acceptableUntil({ Subject: [{ SubjectConfirmation: [{ $: { Method: BEARER } }] }] } as XmlJs, 1000)).toBeUndefined();
    expect(acceptableUntil({ Conditions: "x", Subject: [{ SubjectConfirmation: "y" }] } as XmlJs, 1000)).toBeUndefined();
  });

  it("takes the first Conditions and the first data of each confirmation", () => {
    const a = {
      Conditions: [{ $: { NotOnOrAfter: "2026-01-01T00:01:00Z" } }, { $: { NotOnOrAfter: "2026-01-01T09:00:00Z" } }],
      Subject: [
        {
          SubjectConfirmation: [
            {
              SubjectConfirmationData: [{ $: { NotOnOrAfter: "2026-01-01T00:02:00Z" } }, { $: { NotOnOrAfter: "2026-01-01T08:00:00Z" } }],
            },
          ],
        },
        { SubjectConfirmation: [{ SubjectConfirmationData: [{ $: { NotOnOrAfter: "2026-01-01T07:00:00Z" } }] }] },
      ],
    } as XmlJs;
    expect(acceptableUntil(a, 0)).toEqual(new Date("2026-01-01T00:02:00Z"));
  });
});

describe("fail", () => {
  it("is an invalid_response failure with the detail given", () => {
    const f = fail("why");
    expect(f).toBeInstanceOf(FederationFailure);
    expect([f.reason, f.detail]).toEqual(["invalid_response", "why"]);
  });
});
