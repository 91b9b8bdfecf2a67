// Which embedded database runs when there is no DATABASE_URL. Embedded Postgres by default, when the
// platform package is installed (npm installs only the one matching the machine, and none exists for
// some platforms); PGlite otherwise, or when ID_EMBEDDED_ENGINE=pglite asks for it. The start-up log
// says which and why.
import { nativeDir, platformPackage } from "./binaries.js";

export type EmbeddedEngine = "postgres" | "pglite";

export interface EngineChoice {
  engine: EmbeddedEngine;
  /** Whether the choice was asked for (then a failure is an error, not a fallback). */
  explicit: boolean;
  reason: string;
}

export function chooseEngine(requested: EmbeddedEngine | undefined): EngineChoice {
  if (requested) return { engine: requested, explicit: true, reason: `ID_EMBEDDED_ENGINE=${requested}` };
  if (nativeDir()) return { engine: "postgres", explicit: false, reason: `${platformPackage()} is installed` };
  return { engine: "pglite", explicit: false, reason: `${platformPackage()} is not installed (no Postgres binaries for this platform)` };
}
