// Scenario E: ListUsers in a 100,000-user pool, first page and deep in the keyset cursor (the cursor
// of page 900, 90,000 users in). The users are seeded with one INSERT ... SELECT, not through the API.
import { connectDatabase } from "../../src/platform/db/connect.js";
import { seedUsers } from "../users/setup.js";
import { callOnce, scenario, type Credentials, type Server } from "../load.js";

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const PAGE = 100;

export async function deepListScenarios(service: Server, creds: Credentials, accountId: string, databaseUrl: string, connections: number) {
  const pool = await callOnce(service.port, creds, "CreateUserPool", { Name: `bench-users-${Date.now()}` });
  const database = await connectDatabase({ databaseUrl, maxConnections: 2 });
  try {
    process.stderr.write(`bench: seeding ${USERS} users\n`);
    await seedUsers({ db: database.db }, accountId, pool.Uid, USERS);
  } finally {
    await database.close();
  }
  // Walk the cursor to 90% of the pool once; every request of the deep scenario then asks for that page.
  let token = "";
  const depth = Math.floor((USERS * 0.9) / PAGE);
  for (let i = 0; i < depth; i++) {
    token = (
      await callOnce(service.port, creds, "ListUsers", { UserPoolUid: pool.Uid, MaxResults: PAGE, ...(token && { NextToken: token }) })
    ).NextToken;
  }
  const target = [{ port: service.port, connections, pid: service.child.pid }];
  const first = await scenario(`E1. ListUsers, first page of ${PAGE}, ${USERS} users`, target, {
    action: "ListUsers",
    creds,
    makeBody: () => JSON.stringify({ UserPoolUid: pool.Uid, MaxResults: PAGE }),
  });
  const deep = await scenario(`E2. ListUsers, page ${depth + 1} by cursor (${depth * PAGE} users deep)`, target, {
    action: "ListUsers",
    creds,
    makeBody: () => JSON.stringify({ UserPoolUid: pool.Uid, MaxResults: PAGE, NextToken: token }),
  });
  return { first, deep };
}
