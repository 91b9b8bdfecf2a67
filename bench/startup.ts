// Start-up time of the real entry point (spawn to "listening"), on a fresh and on an existing
// embedded data directory and on Postgres, and the latency of one signed GetUserPool at a time
// (2,000 sequential calls over keep-alive after 500 of warm-up, timed around fetch).
import {
  callOnce,
  newCredentials,
  signedRequest,
  removeDir,
  serviceEnv,
  startFlags,
  startServer,
  tempDir,
  type Credentials,
} from "./load.js";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeStart(env: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const server = await startServer("startup", "dist/main.js", env, startFlags());
  const ms = performance.now() - t0;
  await server.stop();
  return ms;
}

export interface StartupFigures {
  pgliteFreshMs: number;
  pgliteExistingMs: number;
  postgresMs: number;
  sequentialGetUserPool: { p50Ms: number; p99Ms: number; reqPerSec: number };
}

export async function measureStartup(databaseUrl: string, accountId: string, runs = 3): Promise<StartupFigures> {
  const creds: Credentials = newCredentials();
  const fresh: number[] = [];
  const existing: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = tempDir();
    // PGlite by name (these figures are PGlite's); `npm run bench:embedded` measures both engines.
    const env = { ...serviceEnv(undefined, creds, accountId, dir), ID_EMBEDDED_ENGINE: "pglite" };
    fresh.push(await timeStart(env));
    existing.push(await timeStart(env));
    removeDir(dir);
  }
  const postgres: number[] = [];
  for (let i = 0; i < runs; i++) postgres.push(await timeStart(serviceEnv(databaseUrl, creds, accountId)));

  const server = await startServer("latency", "dist/main.js", serviceEnv(databaseUrl, creds, accountId), startFlags());
  try {
    const pool = await callOnce(server.port, creds, "CreateUserPool", { Name: `latency-${Date.now()}` });
    const body = JSON.stringify({ UserPoolUid: pool.Uid });
    const times: number[] = [];
    for (let i = 0; i < 2500; i++) {
      const req = signedRequest(creds, "GetUserPool", body);
      const t0 = performance.now();
      const res = await fetch(`http://127.0.0.1:${server.port}${req.path}`, { method: "POST", headers: req.headers, body: req.body });
      await res.arrayBuffer();
      if (i >= 500) times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const r = {
      p50Ms: Number(times[Math.floor(times.length / 2)]!.toFixed(2)),
      p99Ms: Number(times[Math.floor(times.length * 0.99)]!.toFixed(2)),
      reqPerSec: 1000 / (times.reduce((a, b) => a + b, 0) / times.length),
    };
    return {
      pgliteFreshMs: median(fresh),
      pgliteExistingMs: median(existing),
      postgresMs: median(postgres),
      sequentialGetUserPool: { p50Ms: r.p50Ms, p99Ms: r.p99Ms, reqPerSec: r.reqPerSec },
    };
  } finally {
    await server.stop();
  }
}
