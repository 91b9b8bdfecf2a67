// Redirect URIs through both faces of a client (OAuthCredential's RedirectUri, UserPoolClient's
// callback and logout lists): spellings a WHATWG parser reads as another host are refused, and what
// is accepted is stored in its serialized form, never as typed (issue 22, item 7).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { createCredential, createPool } from "../support/families/oauth-credentials.js";
import { createClient } from "../support/families/user-pool-clients.js";

let svc: TestService;
let pool: string;
beforeAll(async () => {
  svc = await startTestService();
  pool = await createPool(svc);
});
afterAll(() => svc.close());

/** Each of these names evil.com (or a host the text hides) to a browser. */
const HOSTILE = [
  "https://app.example.com\\@evil.com/cb",
  "https:\\\\evil.com",
  "https:evil.com/cb",
  "https:/evil.com/cb",
  "https://@evil.com/cb",
  "https://ev%69l.com/cb",
  "http:\\\\localhost/cb",
];

describe("redirect URIs", () => {
  it.each(HOSTILE)("refuses %s on every face", async (uri) => {
    const credential = await svc.call("CreateOAuthCredential", {
      UserPoolUid: pool,
      GrantType: "authorization_code",
      Scope: "openid",
      Name: "x",
      RedirectUri: [uri],
    });
    expect(codeOf(credential)).toMatch(/^InvalidParameter/);
    const client = await svc.call("CreateUserPoolClient", { UserPoolUid: pool, Name: "x", ClientType: "WEB", AllowedCallbackUrls: [uri] });
    expect(codeOf(client)).toMatch(/^InvalidParameter/);
    const { Uid } = await createClient(svc, pool);
    const logout = await svc.call("UpdateUserPoolClient", { UserPoolUid: pool, ClientUid: Uid, AllowedLogoutUrls: [uri] });
    expect(codeOf(logout)).toMatch(/^InvalidParameter/);
  });

  it("stores and answers the serialized form, not the typed one", async () => {
    const typed = ["HTTPS://App.Example.COM:443/a/../cb?x=1", "https://app.example.com/p%41th", "com.example.app:/cb"];
    const serialized = ["https://app.example.com/cb?x=1", "https://app.example.com/p%41th", "com.example.app:/cb"];
    const c = await createCredential(svc, pool, { RedirectUri: typed });
    expect((await svc.ok("GetOAuthCredential", { CredentialId: c.CredentialId })).RedirectUri).toEqual(serialized);
    const one = await createCredential(svc, pool, { RedirectUri: "HTTPS://APP.example.com" });
    expect((await svc.ok("GetOAuthCredential", { CredentialId: one.CredentialId })).RedirectUri).toEqual(["https://app.example.com/"]);
    const client = await createClient(svc, pool, {
      AllowedCallbackUrls: ["https://Shop.Example.com:443/cb", "https://shop.example.com/cb"],
    });
    const updated = await svc.ok("UpdateUserPoolClient", {
      UserPoolUid: pool,
      ClientUid: client.Uid,
      AllowedLogoutUrls: ["HTTP://LOCALHOST:8080/bye"],
    });
    expect(updated.AllowedLogoutUrls).toEqual(["http://localhost:8080/bye"]);
    // Two spellings of one URI become one entry.
    expect((await svc.ok("GetUserPoolClient", { UserPoolUid: pool, ClientUid: client.Uid })).AllowedCallbackUrls).toEqual([
      "https://shop.example.com/cb",
    ]);
  });
});
