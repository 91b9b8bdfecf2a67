// The real entry point (src/main.ts) as a child process, and a signed keep-alive HTTP client for it:
// shared by the start-up and graceful-shutdown suites and the soak script, which need the process itself
// (signals, exit code, RSS), not an in-process app.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { sql } from "kysely";
import type { DatabasePooler } from "../../../src/platform/config.js";
import { connectDatabase } from "../../../src/platform/db/connect.js";
import { signedCase, type FuzzKey } from "../fuzz/requests.js";
import { poolerFor } from "../harness.js";

export interface Child {
  child: ChildProcess;
  host: string;
  output: () => string;
  /** exit code and the time (ms since epoch) it exited */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Root key and master key for a fresh account; no databaseUrl: embedded PGlite (pass ID_DATA_DIR in extra). */
export function childEnv(databaseUrl: string | undefined, extra: Record<string, string> = {}) {
  const key: FuzzKey = { accessKeyId: `AKLTrel${randomBytes(8).toString("hex")}`, secretAccessKey: randomBytes(24).toString("base64") };
  const accountId = String(3_000_000_000 + Math.floor(Math.random() * 1e12));
  const env: Record<string, string> = {
    ...(databaseUrl && { DATABASE_URL: databaseUrl, ID_MASTER_KEY: randomBytes(32).toString("base64") }),
    ID_ROOT_ACCOUNT_ID: accountId,
    ID_ROOT_ACCESS_KEY_ID: key.accessKeyId,
    ID_ROOT_SECRET_ACCESS_KEY: key.secretAccessKey,
    ...extra,
  };
  return { env, key, accountId };
}

/**
 * A fresh database on the same Postgres server, dropped afterwards. A child's mail worker serves every
 * account it can see: on the shared test database it would deliver (steal) other suites' mail, and
 * their backlog would delay ours; a soak's thousands of queued mails would land in theirs.
 */
export async function ownDatabase(baseUrl: string, prefix = "idplane_reliability", pooler: DatabasePooler = "none") {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = await connectDatabase({ databaseUrl: baseUrl, dataDir: "memory://", maxConnections: 1, pooler });
  await sql`create database ${sql.raw(name)}`.execute(admin.db);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await sql`drop database if exists ${sql.raw(name)} with (force)`.execute(admin.db);
      await admin.close();
    },
  };
}

/**
 * Starts src/main.ts and resolves once it listens. The bound is generous: a first embedded start runs
 * PGlite's initdb, 4 s on an idle machine and over 80 s on a loaded one. A child that does not start
 * in time is killed, never left running.
 */
export function startChild(env: Record<string, string>, timeoutMs = 180_000): Promise<Child> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: {
      PATH: process.env.PATH!,
      HOME: process.env.HOME ?? "/tmp",
      PORT: "0",
      LOG_LEVEL: "info",
      // Through PgBouncer (the suite's second pass) a child must know it: no startup parameters there.
      ...(env.DATABASE_URL && poolerFor(env.DATABASE_URL) === "pgbouncer" && { DATABASE_POOLER: "pgbouncer" }),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  // A test that times out or fails leaves no server behind once its test process ends.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on("exit", (code, signal) => {
      process.off("exit", killOnExit);
      resolve({ code, signal, at: Date.now() });
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.stdout!.on("data", () => {
      const m = /idplane is listening on http:\/\/(\S+)/.exec(out);
      if (m && out.includes("openapi.yaml\n")) {
        clearTimeout(timer);
        resolve({ child, host: m[1]!, output: () => out, exited });
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before listening:\n${out}`));
    });
  });
}

/** Kills the child unless it has exited already, and waits for its exit: for `finally` blocks. */
export async function stopChild(c: Child | undefined): Promise<void> {
  if (!c) return;
  if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
  await c.exited;
}

export interface CallOutcome {
  action: string;
  startedAt: number;
  /** When the whole request had been handed to the kernel (its last write completed); 0 if never. */
  sentAt: number;
  /** How long the kept-alive socket it went out on had been idle; undefined on a new connection. */
  idleMs?: number;
  endedAt: number;
  /** HTTP status, or 0 when the connection failed */
  status: number;
  /** error code, "OK", or the socket error's code */
  code: string;
  result?: any;
}

/** Signed JSON calls over keep-alive sockets; never throws, a failed connection is an outcome. */
export function childClient(host: string, key: FuzzKey, maxSockets = 32) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  // When each kept-alive socket last went back to the pool: a request reusing one the server is
  // closing for idleness (its keep-alive timeout, 5 s) is reset, whatever the server is doing.
  const lastFree = new WeakMap<object, number>();
  const [hostname, port] = host.split(":");
  const world = { admin: key, region: "cn-beijing", host, now: () => new Date() };
  const call = (action: string, params: object): Promise<CallOutcome> => {
    const c = signedCase(world, { action, body: Buffer.from(JSON.stringify(params)) });
    const startedAt = Date.now();
    let sentAt = 0;
    let idleMs: number | undefined;
    return new Promise((resolve) => {
      const done = (status: number, code: string, result?: unknown) =>
        resolve({ action, startedAt, sentAt, ...(idleMs !== undefined && { idleMs }), endedAt: Date.now(), status, code, result });
      const req = request(
        {
          agent,
          hostname,
          port: Number(port),
          method: "POST",
          path: c.target,
          headers: { ...c.headers, "Content-Length": String(c.body.length) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (d: Buffer) => chunks.push(d));
          res.on("error", (e: NodeJS.ErrnoException) => done(0, e.code ?? "EPROTO"));
          res.on("end", () => {
            try {
              const env = JSON.parse(Buffer.concat(chunks).toString("utf8"));
              done(res.statusCode ?? 0, env.ResponseMetadata?.Error?.Code ?? "OK", env.Result);
            } catch {
              done(res.statusCode ?? 0, "NotAnEnvelope");
            }
          });
        },
      );
      // "finish": the request is on the wire. Recorded late when this process is busy, never early.
      req.on("finish", () => (sentAt = Date.now()));
      req.on("socket", (socket) => {
        const freeSince = lastFree.get(socket);
        if (freeSince !== undefined) idleMs = Date.now() - freeSince;
        socket.once("free", () => lastFree.set(socket, Date.now()));
      });
      req.on("error", (e: NodeJS.ErrnoException) => done(0, e.code ?? e.message));
      req.end(c.body);
    });
  };
  return { call, close: () => agent.destroy() };
}

export const rssOf = (pid: number): number => {
  try {
    // /proc/<pid>/status VmRSS in kB: the child's resident set, without asking the child.
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("VmRSS:"));
    return line ? Number(line.replace(/\D+/g, "")) * 1024 : NaN;
  } catch {
    return NaN;
  }
};
