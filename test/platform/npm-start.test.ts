// `kill -TERM` to the `npm start` process (what a service manager or a container runtime sends) must
// stop the server and its embedded Postgres: npm runs the script through `sh -c`, which did not
// pass the signal on, so node and postgres were left holding the port and the data directory (issue
// 22, item 10). The script now execs node, so npm's forwarded SIGTERM reaches the server itself.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const parent = mkdtempSync(join(tmpdir(), "idplane-npmstart-"));
// As root, embedded Postgres runs as another user, who must pass through the parents.
chmodSync(parent, 0o755);
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** Every process below pid, by walking /proc's parent links. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, pp] of parents) if (!found.has(p) && found.has(pp)) found.add(p), (grew = true);
  }
  found.delete(pid);
  return [...found];
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });

describe("npm start", () => {
  it("stops node and the embedded Postgres on SIGTERM to the npm process", { timeout: 300_000 }, async () => {
    const npm = spawn("npm", ["start"], {
      cwd: process.cwd(),
      env: {
        PATH: process.env.PATH!,
        HOME: process.env.HOME ?? "/tmp",
        PORT: "0",
        ID_DATA_DIR: join(parent, ".idplane"),
        ID_EMBEDDED_ENGINE: "postgres",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    npm.stdout!.on("data", (d) => (out += d));
    npm.stderr!.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => npm.on("exit", (code) => resolve(code)));
    let below: number[] = [];
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start within 240 s:\n${out}`)), 240_000);
        npm.stdout!.on("data", () => {
          const m = /idplane is listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
          if (m) clearTimeout(timer), resolve(Number(m[1]));
        });
      });
      below = descendants(npm.pid!);
      expect(below.length).toBeGreaterThan(2); // node, and postgres with its workers
      expect(await portOpen(port)).toBe(true);

      const sent = Date.now();
      npm.kill("SIGTERM");
      await exited;
      // Bound: the server's drain (ID_SHUTDOWN_TIMEOUT_SECONDS, 10) and Postgres's fast shutdown.
      while (below.some(alive) && Date.now() - sent < 20_000) await new Promise((r) => setTimeout(r, 200));
      expect(below.filter(alive)).toEqual([]);
      expect(await portOpen(port)).toBe(false);
      expect(out).toContain("stopped");
    } finally {
      for (const pid of [npm.pid!, ...below]) if (alive(pid)) process.kill(pid, "SIGKILL");
    }
  });
});
