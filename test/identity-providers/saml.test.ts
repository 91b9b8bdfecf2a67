// SAML connections through the official SDK: each action, what is read from IdpMetadata, the
// certificate checks, hostile XML (entity expansion, external entities, huge and deep documents,
// malformed), and the SP key pair (made on first use, kept, sealed, never returned).
import { X509Certificate } from "node:crypto";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { samlConnectionActions } from "../../src/identity-providers/saml-actions.js";
import { openSpPrivateKey } from "../../src/identity-providers/sp-keys.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { idpCertificate, idpMetadata, samlParams, validCertificate } from "../support/families/federation.js";
import { createPool } from "../support/families/user-pools.js";

const outputOf = (name: string) => samlConnectionActions.find((a) => a.name === name)!.output;
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

const rowOf = (uid: string) =>
  svc.deps.db
    .selectFrom("identity_providers")
    .selectAll()
    .where("account_id", "=", svc.accountId)
    .where("uid", "=", uid)
    .executeTakeFirstOrThrow();

async function refusal(IdpMetadata: string) {
  const env = await svc.call("CreateIdentityProviderSAML", await samlParams(await createPool(svc), { IdpMetadata }));
  return { code: codeOf(env), message: env.ResponseMetadata.Error?.Message ?? "" };
}

describe("SAML connections", () => {
  it("reads the metadata on create and round-trips every field through Get, Update, the list and Delete", async () => {
    const poolUid = await createPool(svc);
    const params = await samlParams(poolUid, {
      AttributeMapping: '{"email":"mail"}',
      AttributeMappings: [{ SourceAttributeName: "mail", TargetAttributeName: "Email" }],
      ScimProvisioning: { Enabled: true },
      Provider: "adfs",
    });
    const created = await svc.ok("CreateIdentityProviderSAML", params);
    outputOf("CreateIdentityProviderSAML").parse(created);
    expect(created).toMatchObject({
      IdpMetadata: params.IdpMetadata,
      IdAttribute: "NameID",
      AttributeMapping: '{"email":"mail"}',
      EnabledSign: false,
      EnabledEncryption: false,
      Certificate: "",
      Enabled: true,
      Provider: "adfs",
    });
    const sp = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true, attributeNamePrefix: "@" }).parse(created.SpMetadata);
    expect(sp.EntityDescriptor["@entityID"]).toMatch(new RegExp(`/userpool/${poolUid}$`));
    expect(sp.EntityDescriptor.SPSSODescriptor.AssertionConsumerService["@Location"]).toMatch(/\/callback\/saml\/login$/);

    const row = await rowOf(created.Uid);
    expect(row.saml_idp).toMatchObject({
      EntityId: "https://idp.example.com/saml",
      WantAuthnRequestsSigned: true,
      SingleSignOnServices: [
        { Binding: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect", Location: "https://idp.example.com/saml/sso?tenant=1&x=2" },
        { Binding: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST", Location: "https://idp.example.com/saml/sso" },
      ],
    });
    expect(row.saml_idp!.SigningCertificates[0]!.Subject).toBe("CN=idp.example.com");
    expect(row.sp_private_key_sealed).toBeNull();

    const ref = { UserPoolUid: poolUid, ConnectionUid: created.Uid };
    expect(await svc.ok("GetIdentityProviderSAML", ref)).toEqual(created);
    // The list leaves the metadata (up to 128 KiB each) to the Get.
    expect((await svc.ok("ListIdentityProvidersSAML", { UserPoolUid: poolUid })).Data).toEqual([{ ...created, IdpMetadata: "" }]);

    // Signing on: a key pair is made, its certificate returned and put in SpMetadata.
    svc.clock.advance(1);
    const signed = await svc.ok("UpdateIdentityProviderSAML", {
      ...ref,
      EnabledSign: true,
      IdpMetadata: idpMetadata(await validCertificate(), { entityId: "https://idp2.example.com" }),
    });
    outputOf("UpdateIdentityProviderSAML").parse(signed);
    const cert = new X509Certificate(signed.Certificate);
    expect(cert.subject).toContain(poolUid);
    expect(signed.SpMetadata).toContain('use="signing"');
    expect(signed.SpMetadata).not.toContain('use="encryption"');
    expect(signed.SpMetadata).toContain(cert.raw.toString("base64"));
    expect((await rowOf(created.Uid)).saml_idp!.EntityId).toBe("https://idp2.example.com");
    const sealed = await rowOf(created.Uid);
    const privateKey = openSpPrivateKey(svc.deps.secretBox, sealed)!;
    expect(privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(cert.checkPrivateKey((await import("node:crypto")).createPrivateKey(privateKey))).toBe(true);
    for (const seen of [signed, await svc.ok("GetIdentityProviderSAML", ref)])
      expect(JSON.stringify(seen)).not.toContain(privateKey.split("\n")[1]);

    // Encryption on, signing off: the same key pair (an IdP configured with it keeps working).
    const encrypting = await svc.ok("UpdateIdentityProviderSAML", { ...ref, EnabledSign: false, EnabledEncryption: true });
    expect(encrypting.Certificate).toBe(signed.Certificate);
    expect(encrypting.SpMetadata).toContain('use="encryption"');
    expect(encrypting.SpMetadata).not.toContain('use="signing"');

    expect(codeOf(await svc.call("DeleteIdentityProviderOIDC", ref))).toBe("NotFound");
    await svc.ok("DeleteIdentityProviderSAML", ref);
    expect(codeOf(await svc.call("GetIdentityProviderSAML", ref))).toBe("NotFound");
  }, 60_000);

  it("makes the SP key pair on create when signing or encryption is asked for", async () => {
    const created = await svc.ok("CreateIdentityProviderSAML", await samlParams(await createPool(svc), { EnabledEncryption: true }));
    expect(new Date(new X509Certificate(created.Certificate).validTo).getTime()).toBeGreaterThan(Date.now());
    expect((await rowOf(created.Uid)).sp_private_key_key_id).toBe(svc.deps.secretBox.currentKeyId);
  }, 60_000);

  it("checks the signing certificates and the endpoints, naming the reason", async () => {
    const expired = await refusal(idpMetadata(await idpCertificate({ expired: true })));
    expect(expired.code).toBe("InvalidParameter.IdpMetadata");
    expect(expired.message).toMatch(/signing certificate 1 \(CN=idp\.example\.com\) expired on \d{4}-/);
    const garbage = await refusal(idpMetadata(Buffer.from("not a certificate at all").toString("base64")));
    expect(garbage.message).toMatch(/signing certificate 1 is not a parseable X\.509 certificate/);
    const http = await refusal(idpMetadata(await validCertificate(), { sso: "http://idp.example.com/sso" }));
    expect(http.message).toMatch(/not an absolute https URL/);
    const noIdp = await refusal(
      '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><SPSSODescriptor/></EntityDescriptor>',
    );
    expect(noIdp.message).toMatch(/no IDPSSODescriptor/);
    const two = await refusal(
      '<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata"><EntityDescriptor entityID="a"/><EntityDescriptor entityID="b"/></EntitiesDescriptor>',
    );
    expect(two.message).toMatch(/one EntityDescriptor/);
  }, 60_000);

  it("refuses hostile XML without harm", async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]><EntityDescriptor entityID="&lol9;"/>`;
    const external = `<?xml version="1.0"?><!DOCTYPE md [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&xxe;"/>`;
    for (const xml of [laughs, external]) {
      const r = await refusal(xml);
      expect(r.code).toBe("InvalidParameter.IdpMetadata");
      expect(r.message).toMatch(/DOCTYPE or entity declaration/);
      expect(r.message).not.toContain("root:");
    }
    const malformed = await refusal('<EntityDescriptor entityID="x"><IDPSSODescriptor></EntityDescriptor>');
    expect(malformed).toMatchObject({ code: "InvalidParameter.IdpMetadata" });
    expect(malformed.message).toMatch(/not well-formed XML/);
    const deep = await refusal(`<EntityDescriptor entityID="x">${"<a>".repeat(5000)}${"</a>".repeat(5000)}</EntityDescriptor>`);
    expect(deep).toMatchObject({ code: "InvalidParameter.IdpMetadata" });
    // Bigger than the field allows, within the request body limit: refused by the schema.
    const huge = await refusal(
      idpMetadata(await validCertificate()).replace("<md:IDPSSODescriptor", `<!-- ${"x".repeat(200_000)} --><md:IDPSSODescriptor`),
    );
    expect(huge.code).toBe("InvalidParameter.IdpMetadata");
    // Bigger than a request may be: refused before it is parsed at all.
    const body = await svc.call(
      "CreateIdentityProviderSAML",
      await samlParams(await createPool(svc), { IdpMetadata: "<a>" + "x".repeat(2_000_000) + "</a>" }),
    );
    expect(codeOf(body)).toBe("RequestEntityTooLarge");
    // The service is still well.
    expect(codeOf(await svc.call("ListIdentityProvidersSAML", { UserPoolUid: await createPool(svc) }))).toBe("OK");
  }, 60_000);
});
