// A real SAML 2.0 identity provider on loopback for the sign-in tests, built with samlify: its own
// RSA-2048 key and self-signed certificate (SHA-256), metadata to create the pool's connection with,
// and an https single sign-on endpoint (HTTP-Redirect and HTTP-POST) that verifies the pool's
// AuthnRequest (its signature too, when the SP metadata says requests are signed), "signs in" the
// configured person and answers with the HTTP-POST binding's form to the ACS. The same IdP builds
// Responses on demand with any field changed, for the refusal tests, always signed with its real
// key (so each refusal is the check's, not a broken signature's).
import "reflect-metadata";
import { randomBytes, webcrypto } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import * as x509 from "@peculiar/x509";
import type { TestCa } from "./families/federation.js";

const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const crypto = webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1] & typeof webcrypto;
const REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
const UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";

/**
 * The part of samlify used here. Loaded with require and typed by hand: samlify's own declarations
 * import @xmldom/xmldom's, which pull the DOM lib into the whole program's types (and change
 * fetch's and Buffer's there).
 */
interface SamlifyEntity {
  createLoginResponse(sp: SamlifyEntity, request: unknown, binding: string, user: unknown, opts: unknown): Promise<{ context: string }>;
  parseLoginRequest(sp: SamlifyEntity, binding: string, req: unknown): Promise<{ extract: Record<string, unknown> }>;
}
const samlify = createRequire(import.meta.url)("samlify") as {
  setSchemaValidator(v: { validate(xml: string): Promise<string> }): void;
  ServiceProvider(settings: Record<string, unknown>): SamlifyEntity;
  IdentityProvider(settings: Record<string, unknown>): SamlifyEntity;
  SamlLib: { replaceTagsByValue(template: string, values: Record<string, string | null>): string };
};

// samlify asks for an XML schema validator before it parses anything; the IdP here trusts its
// test's own SP and checks what matters (signature, ids) itself.
samlify.setSchemaValidator({ validate: async () => "skipped" });

const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const htmlUnescape = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

export interface SamlPerson {
  nameId: string;
  nameIdFormat?: string;
  attributes: Record<string, string | string[]>;
}

/** What a Response says; each field defaults to what a correct IdP would put there. */
export interface ResponseFields {
  inResponseTo: string;
  acs: string;
  audience: string;
  person: SamlPerson;
  destination?: string | null;
  recipient?: string;
  subjectInResponseTo?: string;
  notBefore?: Date;
  notOnOrAfter?: Date;
  /** The bearer confirmation's NotOnOrAfter; notOnOrAfter when not given. */
  subjectNotOnOrAfter?: Date;
  issuer?: string;
  assertionId?: string;
}

export interface SeenRequest {
  binding: "redirect" | "post";
  id: string;
  acs: string;
  relayState: string;
  signed: boolean;
}

export interface TestIdp {
  origin: string;
  entityId: string;
  /** IdP metadata for CreateIdentityProviderSAML (the SSO endpoints of `bindings`, in that order). */
  metadata: string;
  certificatePem: string;
  /** Who the IdP signs in next. */
  person: SamlPerson;
  requests: SeenRequest[];
  /** Trusts the pool's SP metadata (as served at <Issuer>/saml/metadata/<ConnectionUid>). */
  trust(spMetadata: string, opts?: { encrypt?: boolean; messageOnly?: boolean }): void;
  /** A signed Response (base64, as the form posts it) with `fields`. */
  response(fields: ResponseFields): Promise<string>;
  close(): Promise<void>;
}

async function keyPair() {
  const keys = await webcrypto.subtle.generateKey(RSA, true, ["sign", "verify"]);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: `01${randomBytes(8).toString("hex")}`,
      name: "CN=saml idp test",
      notBefore: new Date(now - 86_400_000),
      notAfter: new Date(now + 30 * 86_400_000),
      signingAlgorithm: RSA,
      keys,
    },
    crypto,
  );
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)).toString("base64");
  return {
    certPem: cert.toString("pem"),
    certBase64: Buffer.from(cert.rawData).toString("base64"),
    keyPem: `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join("\n")}\n-----END PRIVATE KEY-----\n`,
  };
}

function attributeStatement(attributes: Record<string, string | string[]>): string {
  const entries = Object.entries(attributes);
  if (entries.length === 0) return "";
  const one = ([name, value]: [string, string | string[]]) =>
    `<saml:Attribute Name="${xmlEscape(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${(Array.isArray(value)
      ? value
      : [value]
    )
      .map((v) => `<saml:AttributeValue xsi:type="xs:string">${xmlEscape(v)}</saml:AttributeValue>`)
      .join("")}</saml:Attribute>`;
  return `<saml:AttributeStatement>${entries.map(one).join("")}</saml:AttributeStatement>`;
}

/** Starts the IdP on https://127.0.0.1:<port> with `tls`'s leaf certificate. */
export async function startTestIdp(tls: TestCa, opts: { bindings?: ("redirect" | "post")[] } = {}): Promise<TestIdp> {
  const signing = await keyPair();
  const bindings = opts.bindings ?? ["redirect", "post"];
  let sp: SamlifyEntity | undefined;
  let idp: SamlifyEntity | undefined;
  const requests: SeenRequest[] = [];
  const server: Server = createServer({ cert: tls.leafPem, key: tls.leafKeyPem });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const entityId = `${origin}/metadata`;
  const location = `${origin}/sso`;
  const services = bindings.map((b) => ({ Binding: b === "redirect" ? REDIRECT : POST, Location: location }));
  const metadata = `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${signing.certBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    ${services.map((s) => `<md:SingleSignOnService Binding="${s.Binding}" Location="${s.Location}"/>`).join("\n    ")}
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

  const state: TestIdp = {
    origin,
    entityId,
    metadata,
    certificatePem: signing.certPem,
    person: { nameId: "ada@idp.example", attributes: {} },
    requests,
    trust(spMetadata, trustOpts = {}) {
      // messageOnly: the IdP signs the Response and leaves the assertion unsigned, as if the SP had
      // not asked for signed assertions.
      sp = trustOpts.messageOnly
        ? samlify.ServiceProvider({
            metadata: spMetadata.replace('WantAssertionsSigned="true"', 'WantAssertionsSigned="false"'),
            wantMessageSigned: true,
          })
        : samlify.ServiceProvider({ metadata: spMetadata });
      idp = samlify.IdentityProvider({
        entityID: entityId,
        signingCert: signing.certPem,
        privateKey: signing.keyPem,
        singleSignOnService: services,
        nameIDFormat: [UNSPECIFIED],
        isAssertionEncrypted: trustOpts.encrypt ?? false,
        ...(trustOpts.encrypt && { dataEncryptionAlgorithm: "http://www.w3.org/2001/04/xmlenc#aes256-cbc" }),
      });
    },
    async response(f) {
      if (!sp || !idp) throw new Error("trust() the SP first");
      const now = new Date();
      const later = f.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000);
      const id = `_r${randomBytes(16).toString("hex")}`;
      const values: Record<string, string | null> = {
        ID: id,
        AssertionID: f.assertionId ?? `_a${randomBytes(16).toString("hex")}`,
        Destination: f.destination === undefined ? f.acs : f.destination,
        Audience: f.audience,
        SubjectRecipient: f.recipient ?? f.acs,
        Issuer: f.issuer ?? entityId,
        IssueInstant: now.toISOString(),
        StatusCode: "urn:oasis:names:tc:SAML:2.0:status:Success",
        ConditionsNotBefore: (f.notBefore ?? new Date(now.getTime() - 1000)).toISOString(),
        ConditionsNotOnOrAfter: later.toISOString(),
        SubjectConfirmationDataNotOnOrAfter: (f.subjectNotOnOrAfter ?? later).toISOString(),
        NameIDFormat: f.person.nameIdFormat ?? UNSPECIFIED,
        NameID: f.person.nameId,
        InResponseTo: f.inResponseTo,
      };
      const authn = `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${id}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`;
      const built = await idp.createLoginResponse(
        sp,
        { extract: { request: { id: f.inResponseTo } } } as never,
        "post",
        { email: f.person.nameId },
        {
          customTagReplacement: (template: string) => {
            let xml = template.replace("{AuthnStatement}", authn).replace("{AttributeStatement}", attributeStatement(f.person.attributes));
            // The subject's own InResponseTo may differ from the Response's (a test of the signed one).
            xml = xml.replace(
              /(<saml:SubjectConfirmationData[^>]*InResponseTo=")\{InResponseTo\}/,
              `$1${f.subjectInResponseTo ?? "{InResponseTo}"}`,
            );
            if (values.Destination === null) xml = xml.replace(' Destination="{Destination}"', "");
            return { id, context: samlify.SamlLib.replaceTagsByValue(xml, values) };
          },
        },
      );
      return (built as { context: string }).context;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  server.on("request", (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", origin);
      if (url.pathname !== "/sso" || !sp || !idp) return void res.writeHead(404).end();
      let chunks = "";
      for await (const c of req) chunks += c;
      const post = req.method === "POST";
      const params = post ? new URLSearchParams(chunks) : url.searchParams;
      const octetString = post
        ? undefined
        : url.search
            .slice(1)
            .split("&")
            .filter((p) => !p.startsWith("Signature="))
            .join("&");
      const parsed = await idp.parseLoginRequest(sp, post ? "post" : "redirect", {
        query: Object.fromEntries(url.searchParams),
        body: Object.fromEntries(params),
        octetString,
      } as never);
      const request = parsed.extract.request as { id: string; assertionConsumerServiceUrl: string };
      const relayState = params.get("RelayState") ?? "";
      requests.push({
        binding: post ? "post" : "redirect",
        id: request.id,
        acs: request.assertionConsumerServiceUrl,
        relayState,
        signed: post
          ? /<(\w+:)?Signature[\s>]/.test(Buffer.from(params.get("SAMLRequest") ?? "", "base64").toString())
          : params.has("Signature"),
      });
      const sso = parsed.extract as { issuer?: string };
      const samlResponse = await state.response({
        inResponseTo: request.id,
        acs: request.assertionConsumerServiceUrl,
        audience: sso.issuer ?? "",
        person: state.person,
      });
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end(
        `<!DOCTYPE html><html><body><form method="post" action="${xmlEscape(request.assertionConsumerServiceUrl)}">` +
          `<input type="hidden" name="SAMLResponse" value="${xmlEscape(samlResponse)}">` +
          `<input type="hidden" name="RelayState" value="${xmlEscape(relayState)}">` +
          `<button type="submit">Continue</button></form></body></html>`,
      );
    })().catch((err: Error) => {
      res.writeHead(400, { "Content-Type": "text/plain" }).end(`idp refused: ${err.message}`);
    });
  });
  return state;
}

/** The hidden fields and action of the first form of an HTML page (the IdP's or our POST-binding page). */
export function formOf(page: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
  if (!action) throw new Error(`no form in:\n${page.slice(0, 1500)}`);
  const fields: Record<string, string> = {};
  for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields[m[1]!] = htmlUnescape(m[2]!);
  return { action: htmlUnescape(action), fields };
}
