// Debian's Chromium for the sign-in pages' browser tests (through playwright-core): installed with
// apt-get when missing (CI installs it first: .ci/run), launched headless with the same flags
// everywhere, and the accessibility rule they share (axe: no serious or critical violation).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { AxeBuilder } from "@axe-core/playwright";
import { chromium, type Browser } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";

function aptInstall(): void {
  const run = (args: string[], timeout: number) =>
    execFileSync("apt-get", args, { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeout });
  try {
    run(["install", "-y", "--no-install-recommends", "chromium"], 600_000);
  } catch {
    // A fresh machine has no package lists yet.
    try {
      run(["update"], 300_000);
      run(["install", "-y", "--no-install-recommends", "chromium"], 600_000);
    } catch {
      /* reported by the caller */
    }
  }
}

/** Whether Chromium is there (installing it if it can); a file that must skip says so loudly. */
export function chromiumFor(testFile: string): boolean {
  if (!existsSync(CHROMIUM)) aptInstall();
  const available = existsSync(CHROMIUM);
  if (!available) console.error(`\n*** SKIPPED ${testFile}: Chromium is not installed and apt-get could not install it ***\n`);
  return available;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage", "--no-first-run"],
  });
}

/** axe's serious and critical violations, as "id: help" lines (the pages must have none). */
export const seriousViolations = (r: Awaited<ReturnType<AxeBuilder["analyze"]>>): string[] =>
  r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`);
