// What a newcomer reads must hold (issue 22, item 12): every relative link in the README and docs/
// points at a file inside the repository (docs/security.md linked to a document outside it); the
// compose files and the Dockerfile, which listen on 0.0.0.0, set ID_PUBLIC_BASE_URL (else issuers
// read http://0.0.0.0:8080/...); docs/deployment.md names the HAProxy socket the scale-out compose
// file configures; and that file keeps idle connections longer than HAProxy, as the README says.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const markdown = [
  "README.md",
  ...readdirSync(join(root, "docs"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".md"))
    .map((f) => join("docs", f)),
];

describe("documentation", () => {
  it("links only to files inside the repository, and they exist", () => {
    const broken: string[] = [];
    for (const file of markdown) {
      const text = read(file);
      const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^(https?:|mailto:|#)/.test(t));
      // Paths written as code that climb out of the checkout (`../shared/...`) are links too, to a reader.
      targets.push(...[...text.matchAll(/`(\.\.\/[^`\s]+)`/g)].map((m) => m[1]!));
      for (const target of targets) {
        const path = resolve(root, dirname(file), decodeURIComponent(target.split("#")[0]!));
        if (relative(root, path).startsWith("..") || !existsSync(path)) broken.push(`${file}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("sets ID_PUBLIC_BASE_URL wherever the server listens on 0.0.0.0", () => {
    for (const file of ["docker-compose.yml", "docker-compose.scale.yml", "Dockerfile"]) {
      const text = read(file);
      expect(text, file).toMatch(/HOST[:=] ?0\.0\.0\.0/);
      expect(text, file).toMatch(/ID_PUBLIC_BASE_URL[:=] ?http:\/\/127\.0\.0\.1:8080/);
    }
  });

  it("names in docs/deployment.md the HAProxy socket docker-compose.scale.yml configures", () => {
    const socket = /stats socket (\S+)/.exec(read("docker-compose.scale.yml"))![1]!;
    expect(read("docs/deployment.md")).toContain(`SOCK=${socket}`);
  });

  it("trusts X-Forwarded-For in docker-compose.scale.yml from HAProxy's address and no other", () => {
    const compose = read("docker-compose.scale.yml");
    expect(compose).toMatch(/^\s+option forwardfor$/m);
    const proxy = /ipv4_address: (\S+)/.exec(compose)?.[1];
    expect(proxy).toBeDefined();
    expect(/ID_TRUSTED_PROXIES: (\S+)/.exec(compose)?.[1]).toBe(proxy);
  });

  it("keeps idle connections in docker-compose.scale.yml longer than HAProxy does", () => {
    const compose = read("docker-compose.scale.yml");
    const keepAlive = Number(/ID_KEEPALIVE_TIMEOUT_SECONDS: "(\d+)"/.exec(compose)?.[1] ?? 5);
    const proxy = Math.max(...[...compose.matchAll(/timeout (?:server|client|http-keep-alive) (\d+)s/g)].map((m) => Number(m[1])));
    expect(keepAlive).toBeGreaterThan(proxy);
    expect(read("docs/configuration.md")).toMatch(/ID_KEEPALIVE_TIMEOUT_SECONDS`[^\n]*above the proxy's idle timeout/);
  });
});
