// An HAProxy of the test's (or script's) own in front of idplane instances on loopback: round robin,
// keep-alive, /readyz health checks (a draining or database-less instance leaves the rotation), the
// runtime API on a socket in its temporary directory (to drain and re-point servers for a rolling
// restart), on a free port (never 5432), stopped by its pid. Used by the
// load-balancer test and `npm run scale`. Debian's package: `apt-get install -y haproxy`.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./postgres-instance.js";

const BINARY = ["/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy"];

export const haproxyBinary = () => BINARY.find((b) => existsSync(b));

/** Why HAProxy cannot be started here, or undefined when it can. */
export function haproxyUnavailableReason(): string | undefined {
  return haproxyBinary() ? undefined : "haproxy is not installed (apt-get install -y haproxy)";
}

export interface Haproxy {
  port: number;
  /** host:port of the balancer, as clients sign it. */
  host: string;
  pid: number;
  /** A command on HAProxy's runtime API (`set server instances/i1 state drain`); its answer. */
  command(line: string): Promise<string>;
  stop(): Promise<void>;
}

/** `port`: where to listen (one from freePort, when the instances behind must know the balancer's address first). */
export async function startHaproxy(backendPorts: number[], opts: { port?: number } = {}): Promise<Haproxy> {
  const binary = haproxyBinary();
  if (!binary) throw new Error(haproxyUnavailableReason());
  const dir = mkdtempSync(join(tmpdir(), "idplane-haproxy-"));
  const port = opts.port ?? (await freePort());
  const config = join(dir, "haproxy.cfg");
  writeFileSync(
    config,
    [
      "global",
      "  maxconn 4096",
      `  stats socket ${join(dir, "admin.sock")} level admin`,
      "defaults",
      "  mode http",
      "  timeout connect 2s",
      "  timeout client 30s",
      "  timeout server 30s",
      // A check answer may take a while on a busy machine; the default (inter, 500 ms) took healthy
      // instances out of the rotation during \`npm run scale\`.
      "  timeout check 2s",
      // A request refused at connect (an instance that just stopped) goes to another instance.
      "  retries 2",
      "  option redispatch",
      "frontend idplane",
      `  bind 127.0.0.1:${port}`,
      "  default_backend instances",
      "backend instances",
      "  balance roundrobin",
      "  option httpchk GET /readyz",
      "  http-check expect status 200",
      "  default-server inter 500ms fall 2 rise 2",
      ...backendPorts.map((p, i) => `  server i${i + 1} 127.0.0.1:${p} check`),
      "",
    ].join("\n"),
  );
  // -db: stay in the foreground, so the pid is HAProxy's own and stopping it stops it.
  const child = spawn(binary, ["-db", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 10_000;
  const adminSocket = join(dir, "admin.sock");
  const answers = (target: string | number) =>
    new Promise<boolean>((resolve) => {
      const s = typeof target === "number" ? connect(target, "127.0.0.1") : connect(target);
      s.once("connect", () => (s.destroy(), resolve(true)));
      s.once("error", () => (s.destroy(), resolve(false)));
    });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited ${child.exitCode}:\n${stderr}`);
    // Up when both its runtime API and its port answer: a port alone may be another process's (the
    // caller chose it earlier, and a busy suite hands ports out), and the full suite once found the
    // port answering while the runtime API's socket did not exist yet (ENOENT in a test's first command).
    const up = existsSync(adminSocket) && (await answers(adminSocket)) && (await answers(port));
    if (up) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`haproxy did not listen on ${port}:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    host: `127.0.0.1:${port}`,
    pid: child.pid!,
    command: (line) =>
      new Promise((resolve, reject) => {
        let answer = "";
        const s = connect(adminSocket);
        s.on("data", (d) => (answer += d));
        s.once("error", reject);
        s.once("end", () => resolve(answer.trim()));
        s.end(`${line}\n`);
      }),
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
