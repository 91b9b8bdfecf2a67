// `npm run bench`: the load scenarios of bench/REPORT.md, back to back in one process tree. Servers
// run as child processes; autocannon drives them from this process, signing every request afresh.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { authorizationHeader, sha256hex, xDateOf } from "../test/support/signer.js";

export const VERSION = "2025-10-30";
export const settings = {
  connections: Number(process.env.BENCH_CONNECTIONS ?? 32),
  durationS: Number(process.env.BENCH_DURATION ?? 10),
  warmupS: Number(process.env.BENCH_WARMUP ?? 3),
  runs: Number(process.env.BENCH_RUNS ?? 3),
};

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface Server {
  name: string;
  port: number;
  child: ChildProcess;
  /** Peak resident set size so far (VmHWM), in MB. */
  peakRssMb(): number;
  stop(): Promise<void>;
}

// BENCH_PORT pins the first port (helpers sharing a machine each get their own range).
let nextPort = process.env.BENCH_PORT ? Number(process.env.BENCH_PORT) : 18_000 + randomInt(0, 2000);

/**
 * The Node flags `npm start` runs the service with (package.json's start script), so a benchmark of
 * the built service measures what production runs, and the two cannot drift apart.
 */
export function startFlags(packageJson = readFileSync(new URL("../package.json", import.meta.url), "utf8")): string[] {
  const pkg = JSON.parse(packageJson) as { scripts: { start: string } };
  return pkg.scripts.start.split(/\s+/).filter((word) => word.startsWith("--"));
}

/** Starts a TypeScript entry point as a child process and waits for it to listen. */
export async function startServer(name: string, entry: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<Server> {
  const port = nextPort++;
  // Built JavaScript runs as is; TypeScript sources run through tsx's loader.
  const child = spawn(process.execPath, [...nodeArgs, ...(entry.endsWith(".js") ? [entry] : ["--import", "tsx", entry])], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "info", ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr!.on("data", (d) => (output += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 60_000);
    child.stdout!.on("data", (d: Buffer) => {
      if (output.length < 20_000) output += d;
      if (/listening/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`${name} exited ${code}:\n${output}`)));
  });
  // From here on, drain the request log so the pipe never blocks the server.
  child.stdout!.removeAllListeners("data");
  child.stdout!.resume();
  return {
    name,
    port,
    child,
    peakRssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** A signed request as the Node SDK would send it (x-date and x-content-sha256 signed). */
export function signedRequest(creds: Credentials, action: string, body: string) {
  const xDate = xDateOf(new Date());
  const headers = { "X-Date": xDate, "X-Content-Sha256": sha256hex(body) };
  const authorization = authorizationHeader({
    method: "POST",
    path: "/",
    query: [
      ["Action", action],
      ["Version", VERSION],
    ],
    headers,
    body,
    accessKeyId: creds.accessKeyId,
    secretKey: creds.secretAccessKey,
    region: "cn-beijing",
    service: "id",
    xDate,
  });
  return {
    method: "POST" as const,
    path: `/?Action=${action}&Version=${VERSION}`,
    headers: { ...headers, Authorization: authorization, "Content-Type": "application/json" },
    body,
  };
}

/** Calls one action once (set-up work, not measured). */
export async function callOnce(port: number, creds: Credentials, action: string, params: object) {
  const req = signedRequest(creds, action, JSON.stringify(params));
  const res = await fetch(`http://127.0.0.1:${port}${req.path}`, { method: "POST", headers: req.headers, body: req.body });
  const env = (await res.json()) as { Result?: any; ResponseMetadata: { Error?: unknown } };
  if (!env.Result) throw new Error(`${action} failed: ${JSON.stringify(env.ResponseMetadata.Error)}`);
  return env.Result;
}

export interface RunResult {
  /** Requests answered in the run. */
  requests: number;
  reqPerSec: number;
  /** CPU time the server process(es) spent per request, in µs (user + system, from /proc). */
  serverCpuUsPerReq: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

/** One autocannon run; `makeBody` gives each request its body, signed afresh per request. */
/** user + system CPU time of a process so far, in ms (clock ticks of 10 ms). */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export async function load(
  targets: { port: number; connections: number; pid?: number | undefined }[],
  durationS: number,
  request: {
    action?: string;
    creds?: Credentials;
    makeBody: () => string;
    /** For unsigned requests (no creds): the method (POST), path and headers, instead of POST / as JSON. */
    method?: string;
    path?: string;
    headers?: Record<string, string>;
  },
): Promise<RunResult> {
  const cpuBefore = targets.reduce((sum, t) => sum + cpuMs(t.pid), 0);
  const results = await Promise.all(
    targets.map(
      (t) =>
        new Promise<autocannon.Result>((resolve, reject) => {
          autocannon(
            {
              url: `http://127.0.0.1:${t.port}`,
              connections: t.connections,
              duration: durationS,
              requests: [
                {
                  setupRequest: (req: any) => {
                    const body = request.makeBody();
                    if (!request.creds)
                      return {
                        ...req,
                        method: request.method ?? "POST",
                        path: request.path ?? "/",
                        ...(body !== "" && { body }),
                        headers: request.headers ?? { "Content-Type": "application/json" },
                      };
                    return { ...req, ...signedRequest(request.creds, request.action!, body) };
                  },
                },
              ],
            },
            (err, result) => (err ? reject(err) : resolve(result)),
          );
        }),
    ),
  );
  const total = results.reduce((s, r) => s + r.requests.total, 0);
  const cpuAfter = targets.reduce((sum, t) => sum + cpuMs(t.pid), 0);
  return {
    requests: total,
    serverCpuUsPerReq: total ? ((cpuAfter - cpuBefore) * 1000) / total : 0,
    reqPerSec: results.reduce((s, r) => s + r.requests.average, 0),
    p50Ms: Math.max(...results.map((r) => r.latency.p50)),
    p99Ms: Math.max(...results.map((r) => r.latency.p99)),
    non2xx: results.reduce((s, r) => s + r.non2xx, 0),
    errors: results.reduce((s, r) => s + r.errors + r.timeouts, 0),
  };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Warm-up, then `runs` measured runs; medians of each figure. */
export async function scenario(
  name: string,
  targets: Parameters<typeof load>[0],
  request: Parameters<typeof load>[2],
): Promise<RunResult & { name: string; runs: RunResult[] }> {
  process.stderr.write(`bench: ${name} (warm-up ${settings.warmupS}s, ${settings.runs} x ${settings.durationS}s)\n`);
  await load(targets, settings.warmupS, request);
  const runs: RunResult[] = [];
  for (let i = 0; i < settings.runs; i++) runs.push(await load(targets, settings.durationS, request));
  return {
    name,
    runs,
    requests: median(runs.map((r) => r.requests)),
    reqPerSec: median(runs.map((r) => r.reqPerSec)),
    serverCpuUsPerReq: median(runs.map((r) => r.serverCpuUsPerReq)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    non2xx: runs.reduce((s, r) => s + r.non2xx, 0),
    errors: runs.reduce((s, r) => s + r.errors, 0),
  };
}

/** Environment of a real idplane server with a known admin key. */
export function serviceEnv(
  databaseUrl: string | undefined,
  creds: Credentials,
  accountId: string,
  dataDir?: string,
): Record<string, string> {
  return {
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { ID_DATA_DIR: dataDir! }),
    ID_MASTER_KEY: masterKey,
    ID_ROOT_ACCOUNT_ID: accountId,
    ID_ROOT_ACCESS_KEY_ID: creds.accessKeyId,
    ID_ROOT_SECRET_ACCESS_KEY: creds.secretAccessKey,
    ID_QUOTA_USER_POOLS: "10000000",
    // Throttling stays on (its lease path is measured) at a rate no scenario reaches.
    ID_RATE_LIMIT_PER_SECOND: "10000000",
    ID_RATE_LIMIT_BURST: "20000000",
  };
}

const masterKey = randomBytes(32).toString("base64");
export const newCredentials = (): Credentials => ({
  accessKeyId: `AKLTbench${randomBytes(8).toString("hex")}`,
  secretAccessKey: randomBytes(24).toString("base64"),
});
export const tempDir = () => mkdtempSync(join(tmpdir(), "idplane-bench-"));
export const removeDir = (d: string) => rmSync(d, { recursive: true, force: true });
