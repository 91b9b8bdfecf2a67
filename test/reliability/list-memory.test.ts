// Memory under parallel lists (issue 22, item 4): 300 SAML connections with 128 KiB of metadata each
// made one ListIdentityProvidersSAML answer 39.6 MB, and 20 of them at once crashed an instance with
// a 512 MB heap. Here the real server runs as a child with a 256 MB heap on a database of its own;
// 20 parallel lists of such a pool must all answer, and the server must stay up and serve. The
// child's resident set before and after goes to test/reliability/REPORT.md.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connectDatabase, type DatabaseHandle } from "../../src/platform/db/connect.js";
import { childClient, childEnv, ownDatabase, rssOf, startChild, stopChild, type Child } from "../support/infra/child-server.js";
import { idpMetadata, validCertificate } from "../support/families/federation.js";
import { poolerFor } from "../support/harness.js";

const base = inject("databaseUrl");
const CONNECTIONS = 300;
const METADATA_BYTES = 128 * 1024 - 64;
const PARALLEL = 20;
const HEAP_MB = 256;

let child: Child | undefined;
let store: { url: string; drop: () => Promise<void> } | undefined;
let db: DatabaseHandle | undefined;

beforeAll(async () => {
  if (!base) return;
  store = await ownDatabase(base, "idplane_list_memory", poolerFor(base));
  db = await connectDatabase({ databaseUrl: store.url, maxConnections: 1, pooler: poolerFor(base) });
}, 60_000);
afterAll(async () => {
  await stopChild(child);
  await db?.close();
  await store?.drop();
});

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;

describe.skipIf(!base)("memory under parallel lists", () => {
  it(`answers ${PARALLEL} parallel SAML lists of ${CONNECTIONS} connections with 128 KiB metadata each, with a ${HEAP_MB} MB heap`, async () => {
    const { env, key } = childEnv(store!.url, {
      NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}`,
      ID_QUOTA_IDPS_PER_POOL: String(CONNECTIONS),
    });
    child = await startChild(env);
    const client = childClient(child.host, key, PARALLEL + 2);
    try {
      const pool = await client.call("CreateUserPool", { Name: "list-memory" });
      expect(pool.code).toBe("OK");
      const UserPoolUid = pool.result.Uid as string;
      const metadata = idpMetadata(await validCertificate());
      const first = await client.call("CreateIdentityProviderSAML", {
        UserPoolUid,
        Name: "saml-0",
        IdpMetadata: metadata,
        IdAttribute: "NameID",
      });
      expect(first.code).toBe("OK");
      // The other connections are copies of the first with 128 KiB of metadata, written directly:
      // 300 creates would spend minutes parsing the same XML, and the list reads what is stored.
      await sql`update identity_providers set idp_metadata = rpad(idp_metadata, ${METADATA_BYTES}, ' ') where uid = ${first.result.Uid}`.execute(
        db!.db,
      );
      await sql`
        insert into identity_providers
        select (jsonb_populate_record(null::identity_providers,
                 to_jsonb(p) || jsonb_build_object('uid', gen_random_uuid()::text, 'name', 'saml-' || i))).*
        from identity_providers p, generate_series(1, ${CONNECTIONS - 1}) i
        where p.uid = ${first.result.Uid}`.execute(db!.db);

      const rssBefore = rssOf(child.child.pid!);
      let rssPeak = rssBefore;
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssOf(child!.child.pid!) || 0)), 20);
      const lists = await Promise.all(Array.from({ length: PARALLEL }, () => client.call("ListIdentityProvidersSAML", { UserPoolUid })));
      clearInterval(sampler);
      const rssAfter = rssOf(child.child.pid!);

      expect(child.child.exitCode).toBeNull();
      expect(lists.map((l) => l.code)).toEqual(Array(PARALLEL).fill("OK"));
      const bytes = JSON.stringify(lists[0]!.result).length;
      expect(lists[0]!.result.TotalCount).toBe(CONNECTIONS);
      // A page is bounded whatever the pool holds: no item carries the metadata.
      expect(bytes).toBeLessThan(1024 * 1024);
      const page2 = await client.call("ListIdentityProvidersSAML", { UserPoolUid, PageNumber: 2, PageSize: 20 });
      expect(page2.result.Data.map((d: { Name: string }) => d.Name)).not.toEqual(
        lists[0]!.result.Data.map((d: { Name: string }) => d.Name),
      );
      const one = await client.call("GetIdentityProviderSAML", { UserPoolUid, ConnectionUid: lists[0]!.result.Data[0].Uid });
      expect(one.result.IdpMetadata.length).toBe(METADATA_BYTES);
      expect((await client.call("GetUserPool", { UserPoolUid })).code).toBe("OK");
      console.log(
        `[reliability] list memory: ${PARALLEL} parallel ListIdentityProvidersSAML over ${CONNECTIONS} connections x 128 KiB metadata, ` +
          `heap cap ${HEAP_MB} MB: answer ${(bytes / 1024).toFixed(0)} KiB (${lists[0]!.result.Data.length} items), ` +
          `child RSS ${mb(rssBefore)} before, ${mb(rssPeak)} peak, ${mb(rssAfter)} after; all OK, server up`,
      );
    } finally {
      client.close();
    }
  }, 300_000);
});
