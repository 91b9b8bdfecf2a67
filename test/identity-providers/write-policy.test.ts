// What a connection may be written with (issue 22, item 6): an OAuth connection's token and user
// endpoints pass the outbound address policy when written, as a fetch would when called; SAML
// metadata needs a strong signing certificate (RSA >= 2048 bits, signed with SHA-256 or stronger)
// and its EntityDescriptor in the SAML metadata namespace.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { connectionParams, createConnection } from "../support/families/identity-providers.js";
import { idpMetadata, samlParams, validCertificate } from "../support/families/federation.js";
import { createPool } from "../support/families/user-pools.js";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

const refusal = async (service: TestService, overrides: Record<string, unknown>) => {
  const env = await service.call("CreateIdentityProviderOAuth", connectionParams(await createPool(service), overrides));
  return { code: codeOf(env), message: env.ResponseMetadata.Error?.Message ?? "" };
};

describe("OAuth connection endpoints under the outbound address policy", () => {
  it.each([
    ["https://169.254.169.254/latest/meta-data", /not a public address/],
    ["https://10.0.0.1/token", /not a public address/],
    ["https://127.0.0.1/token", /not a public address/],
    ["https://[::ffff:169.254.169.254]/token", /not a public address/],
    ["https://[::7f00:1]/token", /not a public address/],
    ["https://metadata.google.internal/computeMetadata/v1/", /metadata\.google\.internal is an internal name/],
    ["https://localhost/token", /localhost is an internal name/],
    ["https://vm/token", /vm is an internal name/],
    ["http://127.0.0.1:9000/token", /plain http is refused/],
  ])("refuses TokenEndpoint and UserEndpoint %s", async (url, why) => {
    for (const name of ["TokenEndpoint", "UserEndpoint"]) {
      const r = await refusal(svc, { [name]: url });
      expect(r.code, `${name} ${url}`).toBe(`InvalidParameter.${name}`);
      expect(r.message).toMatch(why);
      // What the name resolved to is not said.
      expect(r.message).not.toMatch(/resolves to/);
    }
  });

  it("refuses them on update too, and leaves the connection as it was", async () => {
    const { UserPoolUid, ConnectionUid, idp } = await createConnection(svc);
    const env = await svc.call("UpdateIdentityProviderOAuth", {
      UserPoolUid,
      ConnectionUid,
      UserEndpoint: "https://169.254.169.254/me",
      Name: "renamed",
    });
    expect(codeOf(env)).toBe("InvalidParameter.UserEndpoint");
    expect(await svc.ok("GetIdentityProviderOAuth", { UserPoolUid, ConnectionUid })).toEqual(idp);
  });

  it("takes what the operator allows: listed addresses, http to loopback when switched on", async () => {
    const dev = await startTestService({
      env: { ID_OUTBOUND_ALLOW_ADDRESSES: "127.0.0.1,::1,10.0.0.0/8", ID_OUTBOUND_ALLOW_HTTP_LOOPBACK: "on" },
    });
    try {
      const pool = await createPool(dev);
      const ok = await dev.ok(
        "CreateIdentityProviderOAuth",
        connectionParams(pool, {
          TokenEndpoint: "http://127.0.0.1:9000/token",
          UserEndpoint: "https://localhost:9443/userinfo",
          AuthorizationEndpoint: "http://localhost:8080/authorize",
        }),
      );
      expect(ok.TokenEndpoint).toBe("http://127.0.0.1:9000/token");
      expect(
        (await dev.ok("CreateIdentityProviderOAuth", connectionParams(pool, { TokenEndpoint: "https://10.1.2.3/token" }))).TokenEndpoint,
      ).toBe("https://10.1.2.3/token");
      // Not listed: still refused; a name in .internal that resolves nowhere is refused.
      expect((await refusal(dev, { TokenEndpoint: "https://169.254.169.254/token" })).code).toBe("InvalidParameter.TokenEndpoint");
      expect((await refusal(dev, { UserEndpoint: "https://metadata.google.internal/me" })).code).toBe("InvalidParameter.UserEndpoint");
    } finally {
      await dev.close();
    }
  });
});

const RSA = (bits: number, hash: string) => ({
  name: "RSASSA-PKCS1-v1_5",
  hash,
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: bits,
});
const DAY = 24 * 3600 * 1000;

/** A self-signed certificate (base64 DER) with a key of `bits` bits, signed with `hash`. */
async function certificate(bits: number, hash: string): Promise<string> {
  const alg = RSA(bits, hash);
  const keys = await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: "05",
      name: "CN=weak.example.com",
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 30 * DAY),
      signingAlgorithm: alg,
      keys,
    },
    webcrypto as never,
  );
  return Buffer.from(cert.rawData).toString("base64");
}

describe("SAML metadata strength and namespace", () => {
  const samlRefusal = async (IdpMetadata: string) => {
    const env = await svc.call("CreateIdentityProviderSAML", await samlParams(await createPool(svc), { IdpMetadata }));
    return { code: codeOf(env), message: env.ResponseMetadata.Error?.Message ?? "" };
  };

  it("refuses a weak key or a weak signature on the signing certificate", async () => {
    const cases: [number, string, RegExp][] = [
      [512, "SHA-1", /512-bit RSA key; at least 2048 bits/],
      [1024, "SHA-256", /1024-bit RSA key; at least 2048 bits/],
      [2048, "SHA-1", /signed with SHA-1; SHA-256 or stronger/],
    ];
    for (const [bits, hash, why] of cases) {
      const r = await samlRefusal(idpMetadata(await certificate(bits, hash)));
      expect(r.code, `${bits} ${hash}`).toBe("InvalidParameter.IdpMetadata");
      expect(r.message).toMatch(why);
    }
    expect(
      codeOf(
        await svc.call(
          "CreateIdentityProviderSAML",
          await samlParams(await createPool(svc), { IdpMetadata: idpMetadata(await certificate(2048, "SHA-384")) }),
        ),
      ),
    ).toBe("OK");
  }, 60_000);

  it("needs the EntityDescriptor in the SAML metadata namespace, prefixed or not", async () => {
    const good = idpMetadata(await validCertificate());
    const foreign = good.replace('xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"', 'xmlns:md="urn:example:not-saml"');
    const r = await samlRefusal(foreign);
    expect(r.code).toBe("InvalidParameter.IdpMetadata");
    expect(r.message).toMatch(/SAML metadata namespace urn:oasis:names:tc:SAML:2\.0:metadata/);
    // No declaration at all is as foreign.
    expect((await samlRefusal(good.replace(' xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"', ""))).code).toBe(
      "InvalidParameter.IdpMetadata",
    );
    // The default namespace, unprefixed, is the same document.
    const unprefixed = good.replace(/<(\/?)md:/g, "<$1").replace('xmlns:md="urn:oasis', 'xmlns="urn:oasis');
    expect(codeOf(await svc.call("CreateIdentityProviderSAML", await samlParams(await createPool(svc), { IdpMetadata: unprefixed })))).toBe(
      "OK",
    );
  });
});
