// ListUserPoolClients reads only the columns its items answer (issue 22, item 4): a client's four URL
// lists hold up to 800 KB, and a page of 100 clients read whole was 80 MB in the server's memory for
// an answer of a few KB. Checked on the SQL the listing sends, and through the API.
import { afterAll, beforeAll, expect, it } from "vitest";
import { clientListing } from "../../src/oauth-credentials/queries.js";
import { startTestService, type TestService } from "../support/harness.js";
import { createPool } from "../support/families/user-pools.js";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

it("selects no URL list and no secret for the list", async () => {
  const listing = clientListing(svc.deps.db, svc.accountId, { userPoolUid: "p", sort: "created_at", direction: "desc" });
  const { sql } = listing.rows(listing.filtered).compile();
  expect(sql).not.toMatch(/\*|redirect_uris|allowed_|secret/);
  const UserPoolUid = await createPool(svc);
  await svc.ok("CreateUserPoolClient", {
    UserPoolUid,
    Name: "web",
    ClientType: "WEB",
    AllowedCallbackUrls: ["https://app.example.com/cb"],
  });
  const page = await svc.ok("ListUserPoolClients", { UserPoolUid });
  expect(page.Data.map((c: { Name: string }) => c.Name)).toEqual(["web"]);
});

it("bounds each URL list of a client to 16 KiB in all, whichever face writes it", async () => {
  const UserPoolUid = await createPool(svc);
  const long = (n: number) =>
    Array.from({ length: n }, (_, i) => `https://app.example.com/${String(i).padStart(3, "0")}/${"p".repeat(960)}`);
  const tooMuch = await svc.call("CreateUserPoolClient", { UserPoolUid, Name: "big", ClientType: "WEB", AllowedCallbackUrls: long(20) });
  expect(tooMuch.ResponseMetadata.Error?.Code).toBe("InvalidParameter.AllowedCallbackUrls");
  expect(tooMuch.ResponseMetadata.Error?.Message).toMatch(/16384 bytes of URIs in all/);
  expect(
    (await svc.ok("CreateUserPoolClient", { UserPoolUid, Name: "fits", ClientType: "WEB", AllowedCallbackUrls: long(15) }))
      .AllowedCallbackUrls,
  ).toHaveLength(15);
});
