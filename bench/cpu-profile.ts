// `npx tsx bench/cpu-profile.ts <file.cpuprofile> [top]`: where a server's CPU went, from a profile
// written by `node --cpu-prof` (bench:floor writes them with BENCH_CPU_PROF=<dir>). Prints self time
// by package or source file, then the top functions, both as shares of the non-idle time. A profile
// taken on a busy machine counts time the process was descheduled inside a system call (writev, the
// socket writes that wake the load generator) as that call's: read those lines with the server CPU
// per request of the same run, which only counts CPU time.
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
const profile = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const top = Number(process.argv[3] ?? 30);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfTime = new Map<number, number>();
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

const byPlace = new Map<string, number>();
const byFunction = new Map<string, number>();
let busy = 0;
for (const [id, t] of selfTime) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  if (functionName === "(idle)") continue;
  busy += t;
  const inPackage = url.includes("node_modules/") ? url.replace(/^.*node_modules\//, "").split("/")[0]! : undefined;
  const place =
    inPackage ?? (url.startsWith("node:") ? url.split("/").slice(0, 2).join("/") : url ? url.split("/").slice(-1)[0]! : functionName);
  byPlace.set(place, (byPlace.get(place) ?? 0) + t);
  const fn = `${functionName || "(anonymous)"} ${url ? `${url.split("/").slice(-1)[0]}:${lineNumber + 1}` : ""}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
}
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${(t / 1000).toFixed(0).padStart(7)} ms ${((100 * t) / busy).toFixed(1).padStart(5)} %  ${k}`);
};
console.log(`non-idle time: ${(busy / 1000).toFixed(0)} ms`);
show("self time by package or file", byPlace);
show("self time by function", byFunction);
