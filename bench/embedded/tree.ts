// Memory and CPU of a process and all its descendants, from /proc: the embedded engines differ in
// where their memory lives (PGlite in the Node process, Postgres in child processes), so only the
// whole tree compares. PSS (proportional set size) splits pages shared between processes (Postgres's
// shared buffers, its binary and libraries) among them, so a sum of PSS counts each page once; a sum
// of RSS counts shared pages once per process and overstates a multi-process tree.
import { readdirSync, readFileSync } from "node:fs";

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

export function treeOf(root: number): number[] {
  const pids = readdirSync("/proc")
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
  const parents = new Map(pids.map((p) => [p, parentOf(p)]));
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parents) if (!tree.has(pid) && ppid !== undefined && tree.has(ppid)) tree.add(pid), (grew = true);
  }
  return [...tree];
}

function sumField(pids: number[], file: string, field: string): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/${file}`, "utf8"));
      kb += Number(m?.[1] ?? 0);
    } catch {
      // exited meanwhile
    }
  }
  return kb / 1024;
}

export const pssMb = (root: number) => sumField(treeOf(root), "smaps_rollup", "Pss");
export const rssMb = (root: number) => sumField(treeOf(root), "status", "VmRSS");

/** user + system CPU of the tree so far, reaped children (initdb) included, in ms. */
export function treeCpuMs(root: number): number {
  let ticks = 0;
  for (const pid of treeOf(root)) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // exited meanwhile
    }
  }
  return ticks * 10;
}

/** Samples the tree's PSS and RSS until stopped; returns the peaks. */
export function samplePeaks(root: number, everyMs = 500) {
  let pss = 0;
  let rss = 0;
  const timer = setInterval(() => {
    pss = Math.max(pss, pssMb(root));
    rss = Math.max(rss, rssMb(root));
  }, everyMs);
  return () => {
    clearInterval(timer);
    return { pssMb: pss, rssMb: rss };
  };
}
