// Test kit of the OIDC and SAML connections: a test CA with a leaf for 127.0.0.1 (made with
// @peculiar/x509), a real https OIDC discovery server on loopback answering well and badly by path,
// SAML metadata around a real certificate, and the cross-account cases for the security suite.
import "reflect-metadata";
import { randomUUID, webcrypto } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { insertConnection } from "../../../src/identity-providers/service.js";
import type { TestService } from "../harness.js";
import { scratchPrefix } from "../infra/scratch.js";
import type { CrossAccountCase } from "../security-cases.js";
import { createPool, uniqueName } from "./user-pools.js";

const crypto = webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.create>[1] & typeof webcrypto;
const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const DAY = 24 * 3600 * 1000;

const pemKey = async (key: webcrypto.CryptoKey) =>
  `-----BEGIN PRIVATE KEY-----\n${Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key))
    .toString("base64")
    .match(/.{1,64}/g)!
    .join("\n")}\n-----END PRIVATE KEY-----\n`;

export interface TestCa {
  caPem: string;
  /** A file holding caPem, for ID_OUTBOUND_CA_FILE. */
  caFile: string;
  leafPem: string;
  leafKeyPem: string;
}

/** A CA and a leaf certificate for 127.0.0.1 and localhost that it signed. */
export async function makeTestCa(): Promise<TestCa> {
  const now = Date.now();
  const caKeys = await webcrypto.subtle.generateKey(EC, true, ["sign", "verify"]);
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: "01",
      name: "CN=idplane test CA",
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 30 * DAY),
      signingAlgorithm: EC,
      keys: caKeys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ],
    },
    crypto,
  );
  const leafKeys = await webcrypto.subtle.generateKey(EC, true, ["sign", "verify"]);
  const leaf = await x509.X509CertificateGenerator.create(
    {
      serialNumber: "02",
      subject: "CN=127.0.0.1",
      issuer: ca.subject,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 30 * DAY),
      signingAlgorithm: EC,
      publicKey: leafKeys.publicKey,
      signingKey: caKeys.privateKey,
      extensions: [
        new x509.SubjectAlternativeNameExtension([
          { type: "ip", value: "127.0.0.1" },
          { type: "dns", value: "localhost" },
        ]),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      ],
    },
    crypto,
  );
  // Named after the vitest process, whose global teardown removes it (global-setup.ts).
  const caFile = join(mkdtempSync(join(tmpdir(), scratchPrefix(process.ppid))), "ca.pem");
  writeFileSync(caFile, ca.toString("pem"));
  return { caPem: ca.toString("pem"), caFile, leafPem: leaf.toString("pem"), leafKeyPem: await pemKey(leafKeys.privateKey) };
}

const DISCOVERY = "/.well-known/openid-configuration";

/** A good discovery document for `issuer`, less or plus what a case changes. */
export function discoveryDocument(issuer: string, changes: Record<string, unknown> = {}) {
  const doc: Record<string, unknown> = {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    userinfo_endpoint: `${issuer}/userinfo`,
    jwks_uri: `${issuer}/jwks`,
    ...changes,
  };
  return Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== undefined));
}

export interface IssuerServer {
  /** https://127.0.0.1:<port> (or http:// for the plain server). */
  origin: string;
  /** The issuer URL of a case: <origin>/<name>. */
  issuer(name: string): string;
  requests: string[];
  close(): Promise<void>;
}

/**
 * Answers <origin>/<case>/.well-known/openid-configuration by case: good, wrong-issuer, no-jwks,
 * not-json, too-big (bigger than `bigBytes`), slow (headers, then never the end), redirect-private
 * (to a private address), redirect-good (to the good case's document, through one redirect).
 */
export async function startIssuerServer(tls: TestCa | undefined, bigBytes = 2_000_000): Promise<IssuerServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  let origin = "";
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    requests.push(req.url ?? "");
    const [, name, ...rest] = (req.url ?? "").split("/");
    if (`/${rest.join("/")}` !== DISCOVERY) return void res.writeHead(404).end();
    // The issuer as the client named it (127.0.0.1 or localhost), as a real provider's would be.
    const issuer = `${origin.split("://")[0]}://${req.headers.host}/${name}`;
    const json = (doc: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(doc));
    switch (name) {
      case "good":
        return json(discoveryDocument(issuer));
      case "wrong-issuer":
        return json(discoveryDocument("https://elsewhere.example.com"));
      case "no-jwks":
        return json(discoveryDocument(issuer, { jwks_uri: undefined }));
      case "not-json":
        return void res.writeHead(200, { "content-type": "text/html" }).end("<html>hello</html>");
      case "too-big":
        return json({ ...discoveryDocument(issuer), padding: "x".repeat(bigBytes) });
      case "slow":
        res.writeHead(200, { "content-type": "application/json" });
        return void res.write("{");
      case "redirect-private":
        return void res.writeHead(302, { location: `https://10.255.0.1/good${DISCOVERY}` }).end();
      case "redirect-metadata":
        return void res.writeHead(302, { location: `https://169.254.169.254/latest/meta-data/` }).end();
      case "redirect-good":
        return void res.writeHead(302, { location: `${origin}/redirect-target${DISCOVERY}` }).end();
      case "redirect-target":
        return json(discoveryDocument(`${origin}/redirect-good`));
      default:
        return void res.writeHead(404).end();
    }
  };
  const server: Server = tls ? createHttpsServer({ key: tls.leafKeyPem, cert: tls.leafPem }, handler) : createHttpServer(handler);
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `${tls ? "https" : "http"}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    issuer: (name) => `${origin}/${name}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The service settings that trust the test CA and let outbound requests reach loopback. */
export const outboundEnv = (ca: TestCa, extra: Record<string, string> = {}) => ({
  ID_OUTBOUND_CA_FILE: ca.caFile,
  ID_OUTBOUND_ALLOW_ADDRESSES: "127.0.0.1",
  ID_OUTBOUND_TIMEOUT_SECONDS: "3",
  ID_OUTBOUND_MAX_BYTES: "65536",
  ...extra,
});

export function oidcParams(userPoolUid: string, issuer: string, overrides: Record<string, unknown> = {}) {
  return { UserPoolUid: userPoolUid, Name: uniqueName("oidc"), Issuer: issuer, ClientId: "oidc-client", ...overrides };
}

// ---- SAML ----

/** A certificate as an IdP would publish it (base64 DER), valid around now or expired. */
export async function idpCertificate(opts: { expired?: boolean } = {}): Promise<string> {
  const now = Date.now();
  const keys = await webcrypto.subtle.generateKey(RSA, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: "03",
      name: "CN=idp.example.com",
      notBefore: new Date(now - (opts.expired ? 400 : 1) * DAY),
      notAfter: new Date(now + (opts.expired ? -35 : 365) * DAY),
      signingAlgorithm: RSA,
      keys,
    },
    crypto,
  );
  return Buffer.from(cert.rawData).toString("base64");
}

export function idpMetadata(certificate: string, opts: { entityId?: string; sso?: string } = {}) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${opts.entityId ?? "https://idp.example.com/saml"}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificate.match(/.{1,64}/g)!.join("\n")}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${opts.sso ?? "https://idp.example.com/saml/sso?tenant=1&amp;x=2"}"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/saml/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
}

let sharedCertificate: Promise<string> | undefined;
export const validCertificate = () => (sharedCertificate ??= idpCertificate());

export async function samlParams(userPoolUid: string, overrides: Record<string, unknown> = {}) {
  return {
    UserPoolUid: userPoolUid,
    Name: uniqueName("saml"),
    IdpMetadata: idpMetadata(await validCertificate()),
    IdAttribute: "NameID",
    ...overrides,
  };
}

/** An OIDC connection written straight through the service layer, without discovery (no network). */
export async function insertOidcConnection(svc: TestService, poolUid?: string) {
  const UserPoolUid = poolUid ?? (await createPool(svc));
  const issuer = "https://issuer.example.com";
  const row = await insertConnection(svc.deps, svc.accountId, UserPoolUid, {
    uid: randomUUID(),
    connection_type: "OIDC",
    name: uniqueName("oidc"),
    issuer,
    jwks_uri: `${issuer}/jwks`,
    client_id: "oidc-client",
  });
  return { UserPoolUid, ConnectionUid: row.uid };
}

async function samlRef(svc: TestService) {
  const UserPoolUid = await createPool(svc);
  const created = await svc.ok("CreateIdentityProviderSAML", await samlParams(UserPoolUid));
  return { UserPoolUid, ConnectionUid: created.Uid as string };
}

export const crossAccountCases: CrossAccountCase[] = [
  { action: "CreateIdentityProviderOIDC", params: async (svc) => oidcParams(await createPool(svc), "https://issuer.example.com") },
  { action: "GetIdentityProviderOIDC", params: (svc) => insertOidcConnection(svc) },
  { action: "UpdateIdentityProviderOIDC", params: async (svc) => ({ ...(await insertOidcConnection(svc)), Name: uniqueName("renamed") }) },
  { action: "DeleteIdentityProviderOIDC", params: (svc) => insertOidcConnection(svc) },
  { action: "ListIdentityProvidersOIDC", params: async (svc) => ({ UserPoolUid: await createPool(svc) }) },
  { action: "CreateIdentityProviderSAML", params: async (svc) => samlParams(await createPool(svc)) },
  { action: "GetIdentityProviderSAML", params: samlRef },
  { action: "UpdateIdentityProviderSAML", params: async (svc) => ({ ...(await samlRef(svc)), Name: uniqueName("renamed") }) },
  { action: "DeleteIdentityProviderSAML", params: samlRef },
  { action: "ListIdentityProvidersSAML", params: async (svc) => ({ UserPoolUid: await createPool(svc) }) },
];
