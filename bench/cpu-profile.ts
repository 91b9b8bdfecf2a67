// `npx tsx bench/cpu-profile.ts <file.cpuprofile> [top] [--runs=<k>/<n>/<skip>]`: where a server's CPU went, from a profile
// written by `node --cpu-prof` (bench:floor writes them with BENCH_CPU_PROF=<dir>). Prints self time
// by package or source file, then the top functions, both as shares of the non-idle time. A profile
// taken on a busy machine counts time the process was descheduled inside a system call (writev, the
// socket writes that wake the load generator) as that call's: read those lines with the server CPU
// per request of the same run, which only counts CPU time.
//
// `--runs=<k>/<n>/<skip>`: only the samples of some of the profile's timed runs. A service's busy
// stretches (half-second bins over 30 % busy, apart by at least 2 s of idle) are its runs; the
// first <skip> are set-up and warm-ups, and of the rest every n-th from the k-th (0-based) is kept.
// bench:tokens runs its three scenarios in turn, so `--runs=0/3/4` is client_credentials, `1/3/4`
// the code exchange and `2/3/4` userinfo (4: start-up and the three warm-ups).
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const runs = process.argv
  .find((a) => a.startsWith("--runs="))
  ?.slice(7)
  .split("/")
  .map(Number);
const profile = JSON.parse(readFileSync(args[0]!, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const top = Number(args[1] ?? 30);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const isIdle = (id: number) => byId.get(id)!.callFrame.functionName === "(idle)";
// Each sample's time since the profile began, and its half-second bin.
const at: number[] = [];
profile.timeDeltas.reduce((t, d, i) => (at[i] = t + d), 0);
const BIN = 500_000;
const kept = (() => {
  if (!runs) return () => true;
  const [k, n, skip] = runs as [number, number, number];
  const busyPerBin = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    if (!isIdle(id)) busyPerBin.set(Math.floor(at[i]! / BIN), (busyPerBin.get(Math.floor(at[i]! / BIN)) ?? 0) + profile.timeDeltas[i]!);
  });
  const busyBins = [...busyPerBin]
    .filter(([, t]) => t > 0.3 * BIN)
    .map(([b]) => b)
    .sort((a, b) => a - b);
  const stretches: { from: number; to: number }[] = [];
  for (const b of busyBins) {
    const last = stretches.at(-1);
    if (last && b - last.to <= 4) last.to = b;
    else stretches.push({ from: b, to: b });
  }
  const chosen = stretches
    .filter((r) => r.to - r.from >= 4)
    .slice(skip)
    .filter((_, i) => i % n === k);
  console.log(`runs kept: ${chosen.map((r) => `${r.from / 2}-${r.to / 2} s`).join(", ")}`);
  return (i: number) => chosen.some((r) => Math.floor(at[i]! / BIN) >= r.from && Math.floor(at[i]! / BIN) <= r.to);
})();
const selfTime = new Map<number, number>();
profile.samples.forEach((id, i) => {
  if (kept(i)) selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

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
