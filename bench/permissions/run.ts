// `npm run bench:permissions` (issue 29): CheckPermission with 10,000 policies in the namespace and
// a 6-level resource tree, against its floor measured the same way in the same run: the same kind of
// signed request to GetNamespace, an action that reads one row. The service runs from the bundle as
// `npm start` does; autocannon signs every request afresh. Floor and checks alternate round by round
// (F C1 C2 F C1 C2 ...), so what else the shared machine does lands on all of them; medians.
// C1 asks one question again and again (one slice, preparsed once); C2 rotates over 100 principals
// (100 slices, all within the 256 preparsed slots).
import { execSync } from "node:child_process";
import { randomInt, randomUUID } from "node:crypto";
import { sql } from "kysely";
import { connectDatabase } from "../../src/platform/db/connect.js";
import { parsePolicy } from "../../src/permissions/cedar.js";
import { jsonb } from "../../src/user-pools/queries.js";
import { callOnce, load, median, newCredentials, serviceEnv, settings, startServer, type RunResult, type Server } from "../load.js";

const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const POLICIES = 10_000;
const LEVELS = ["Org", "Division", "Department", "Team", "Project", "Doc"];

/** The i-th seeded policy: a user of 1,000, read or write, on a node of the chain or one of 500 loose leaves. */
function policyOf(i: number) {
  const [rType, rId] = i % 3 === 0 ? [LEVELS[i % 6]!, `n${i % 6}`] : ["Leaf", `x${i % 500}`];
  const [user, action] = [`u${i % 1000}`, i % 2 ? "read" : "write"];
  return {
    text: `permit (principal == User::"${user}", action == Action::"${action}", resource in ${rType}::"${rId}");`,
    scope: {
      principal: { op: "==", entity: { type: "User", id: user } },
      action: { op: "==", entity: { type: "Action", id: action } },
      resource: { op: "in", entity: { type: rType, id: rId } },
    },
  };
}

/**
 * The policies' rows. The scope is written here rather than read by the engine 10,000 times in a
 * row: that loop crashed V8 in this process three times (a fatal error in its deoptimizer, Node
 * 20.20; never seen in a server or a test). A sample is read by the engine and must agree.
 */
async function seededPolicies() {
  const rows = [];
  for (let i = 0; i < POLICIES; i++) {
    const { text, scope } = policyOf(i);
    if (i < 12 && JSON.stringify((await parsePolicy(text)).scope) !== JSON.stringify(scope))
      throw new Error(`the engine reads policy ${i} otherwise: ${JSON.stringify((await parsePolicy(text)).scope)}`);
    rows.push({ id: randomUUID(), name: `p${i}`, text, effect: "Allow", scope: scope as unknown, conditional: false });
  }
  return rows;
}

async function seed(accountId: string, namespaceId: string, rows: Awaited<ReturnType<typeof seededPolicies>>): Promise<void> {
  const database = await connectDatabase({ databaseUrl, maxConnections: 2 });
  try {
    // Ten conditional forbids on anyone that never fire: every check's slice carries conditions too.
    for (let i = 0; i < 10; i++) {
      const text = `forbid (principal, action, resource in Org::"n0") when { context.runID == "blocked-${i}" };`;
      rows.push({ id: randomUUID(), name: `guard${i}`, text, effect: "Deny", scope: (await parsePolicy(text)).scope, conditional: true });
    }
    const definition = {
      Principal: "",
      PrincipalInfo: "",
      Operation: "",
      Resource: "",
      ResourceInfo: "",
      Effect: "",
      Condition: "",
      ConditionInfo: "",
    };
    for (let at = 0; at < rows.length; at += 1000) {
      const chunk = rows.slice(at, at + 1000).map((r) => ({
        account_id: accountId,
        namespace_id: namespaceId,
        ...r,
        scope: jsonb(r.scope),
        definition: jsonb(definition),
        created_at: new Date(),
        updated_at: new Date(),
      }));
      await database.db.insertInto("permission_policies").values(chunk).execute();
    }
    await sql`update permission_namespaces set policy_version = policy_version + 1 where account_id = ${accountId} and id = ${namespaceId}`.execute(
      database.db,
    );
    await sql`analyze permission_policies`.execute(database.db);
  } finally {
    await database.close();
  }
}

const figures = (rs: RunResult[]) =>
  `median ${median(rs.map((x) => x.reqPerSec)).toFixed(0)} req/s, p50 ${median(rs.map((x) => x.p50Ms))} ms, p99 ${median(rs.map((x) => x.p99Ms))} ms, server CPU ${median(rs.map((x) => x.serverCpuUsPerReq)).toFixed(0)} µs/req, non-2xx ${rs.reduce((s, x) => s + x.non2xx, 0)}`;

async function main() {
  const rows = await seededPolicies();
  execSync("npm run -s build", { stdio: "inherit" });
  const accountId = String(randomInt(3_000_000_000, 2 ** 47));
  const creds = newCredentials();
  const servers: Server[] = [];
  try {
    const service = await startServer("service (Postgres)", "dist/main.js", serviceEnv(databaseUrl, creds, accountId));
    servers.push(service);
    process.stderr.write("bench:permissions: service started\n");
    const NamespaceName = `bench-${Date.now()}`;
    const ns = await callOnce(service.port, creds, "CreateNamespace", { NamespaceName });
    let parent: string | undefined;
    for (const [i, type] of LEVELS.entries()) {
      await callOnce(service.port, creds, "CreateResource", {
        NamespaceName,
        ResourceKey: `n${i}`,
        ResourceName: `n${i}`,
        ResourceType: type,
        ...(parent ? { ParentResourceKey: parent } : {}),
      });
      parent = `n${i}`;
    }
    let t = performance.now();
    await seed(accountId, ns.NamespaceId, rows);
    process.stderr.write(`bench:permissions: seeded ${POLICIES} policies in ${(performance.now() - t).toFixed(0)} ms\n`);

    const question = (user: string) =>
      JSON.stringify({
        NamespaceName,
        Principal: { Type: "User", Id: user },
        Operation: { Id: "read" },
        Resource: { Type: "Doc", Id: "n5" },
      });
    // u5 may read Doc::"n5" through policy 1005 (read, resource in Department::"n3", three levels up).
    t = performance.now();
    const first = await callOnce(service.port, creds, "CheckPermission", JSON.parse(question("u5")));
    process.stderr.write(
      `bench:permissions: first check (index built, slice preparsed) ${(performance.now() - t).toFixed(0)} ms: ${JSON.stringify(first)}\n`,
    );
    if (!first.Allowed) throw new Error("the benchmark's question should be allowed");
    let n = 0;
    const floorReq = { action: "GetNamespace", creds, makeBody: () => JSON.stringify({ NamespaceName }) };
    const hot = { action: "CheckPermission", creds, makeBody: () => question("u5") };
    const rotating = { action: "CheckPermission", creds, makeBody: () => question(`u${(n++ % 100) * 10 + 5}`) };
    const target = [{ port: service.port, connections: settings.connections, pid: service.child.pid }];
    for (const r of [floorReq, hot, rotating]) await load(target, settings.warmupS, r);
    const f: RunResult[] = [];
    const c1: RunResult[] = [];
    const c2: RunResult[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      f.push(await load(target, settings.durationS, floorReq));
      c1.push(await load(target, settings.durationS, hot));
      c2.push(await load(target, settings.durationS, rotating));
      process.stderr.write(
        `bench:permissions round ${i + 1}: F ${f.at(-1)!.reqPerSec.toFixed(0)}, C1 ${c1.at(-1)!.reqPerSec.toFixed(0)}, C2 ${c2.at(-1)!.reqPerSec.toFixed(0)} req/s\n`,
      );
    }
    const ratio = (cs: RunResult[]) => median(cs.map((x, i) => x.reqPerSec / f[i]!.reqPerSec)).toFixed(2);
    const commit = execSync("git rev-parse --short HEAD").toString().trim();
    const load1 = execSync("cat /proc/loadavg").toString().split(" ")[0];
    console.log(
      [
        `bench:permissions on ${new Date().toISOString()}, commit ${commit}, load average ${load1} at the end; ${ROUNDS} alternating rounds of ${settings.durationS} s, ${settings.connections} connections; ${POLICIES + 10} policies, a ${LEVELS.length}-level tree`,
        `F (signed GetNamespace, the floor): ${figures(f)}`,
        `C1 (CheckPermission, one question, leaf at level 6): ${figures(c1)}`,
        `C2 (CheckPermission, 100 principals in turn): ${figures(c2)}`,
        `C1/F median of rounds ${ratio(c1)}; C2/F ${ratio(c2)} (target >= 0.8)`,
      ].join("\n"),
    );
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
