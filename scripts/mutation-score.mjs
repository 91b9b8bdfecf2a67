// Per-file mutation scores from StrykerJS's JSON report (reports/mutation/mutation.json), with the
// equivalent mutants listed in mutation/equivalents.json taken out of the count. Exits 1
// when any file scores under the floor (issue 18: 85 %), so CI fails on a drop. Stryker's own
// `thresholds.break` is one number for all files together; a weak file would hide behind strong ones.
//
// An equivalent is named by file, mutator, the source text it replaces and its replacement, not by
// line, so edits elsewhere in the file do not shift it. Entries that match nothing, or match a mutant
// the tests now kill, are reported so the list stays honest.
//
// Usage: node scripts/mutation-score.mjs [--markdown] [--floor 85] [--survivors] [--report <json> ...]
// --report names the JSON report(s) to read (default reports/mutation/mutation.json); several are
// read together (the surface groups' reports, each over its own files).
// --survivors lists every undetected mutant not listed as equivalent (file:line:column, mutator,
// replacement, the source line): the work list for new tests or new equivalent entries.
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
const floor = Number(args.includes("--floor") ? args[args.indexOf("--floor") + 1] : 85);
const markdown = args.includes("--markdown");
const listSurvivors = args.includes("--survivors");
const reportPaths = args.flatMap((a, i) => (a === "--report" ? [args[i + 1]] : []));
const report = { files: {} };
for (const path of reportPaths.length ? reportPaths : ["reports/mutation/mutation.json"]) {
  Object.assign(report.files, JSON.parse(readFileSync(path, "utf8")).files);
}
const equivalents = JSON.parse(readFileSync("mutation/equivalents.json", "utf8")).mutants;

/** The source text a mutant replaces (report locations are 1-based lines and columns). */
function originalText(lines, { start, end }) {
  if (start.line === end.line) return lines[start.line - 1].slice(start.column - 1, end.column - 1);
  const first = lines[start.line - 1].slice(start.column - 1);
  const middle = lines.slice(start.line, end.line - 1);
  const last = lines[end.line - 1].slice(0, end.column - 1);
  return [first, ...middle, last].join("\n");
}

const used = new Set();
const excused = new Set();
const rows = [];
for (const [file, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const lines = source.split("\n");
  const count = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, equivalent: 0 };
  for (const m of mutants) {
    const undetected = m.status === "Survived" || m.status === "NoCoverage";
    const listed = equivalents.findIndex(
      (e) =>
        e.file === file && e.mutator === m.mutatorName && e.replacement === m.replacement && e.original === originalText(lines, m.location),
    );
    if (listed !== -1) {
      used.add(listed);
      // An entry names source text, which can occur more than once in a file (two "utf8" arguments):
      // a match the tests kill counts as killed, and only an entry that excuses no mutant is stale.
      if (undetected) {
        excused.add(listed);
        count.equivalent++;
        continue;
      }
    }
    if (undetected && listSurvivors) {
      const at = `${file}:${m.location.start.line}:${m.location.start.column}`;
      console.log(`${at} ${m.status} ${m.mutatorName} -> ${JSON.stringify(m.replacement)}  | ${lines[m.location.start.line - 1].trim()}`);
    }
    if (m.status === "Killed") count.killed++;
    else if (m.status === "Timeout") count.timeout++;
    else if (m.status === "Survived") count.survived++;
    else if (m.status === "NoCoverage") count.noCoverage++;
    // CompileError, RuntimeError and Ignored mutants do not count, as in Stryker's own score.
  }
  const detected = count.killed + count.timeout;
  const valid = detected + count.survived + count.noCoverage;
  if (valid + count.equivalent === 0) continue;
  rows.push({ file, ...count, score: valid === 0 ? 100 : (100 * detected) / valid });
}

const mutatedFiles = new Set(Object.keys(report.files));
equivalents.forEach((e, i) => {
  // A run narrowed with --mutate has no mutants of the other files: their entries are not stale.
  if (!mutatedFiles.has(e.file)) return;
  const entry = `${e.file} ${e.mutator} ${JSON.stringify(e.original)} -> ${e.replacement}`;
  if (!used.has(i)) console.error(`mutation-score: equivalent entry matches no mutant (stale?): ${entry}`);
  else if (!excused.has(i)) console.error(`mutation-score: equivalent entry matches only mutants the tests kill (remove it): ${entry}`);
});

const header = ["file", "killed", "timeout", "survived", "no coverage", "equivalent", "score"];
const cells = rows.map((r) => [r.file, r.killed, r.timeout, r.survived, r.noCoverage, r.equivalent, `${r.score.toFixed(1)} %`]);
if (markdown) {
  console.log(`| ${header.join(" | ")} |`);
  console.log(
    `|---|${header
      .slice(1)
      .map(() => "---:")
      .join("|")}|`,
  );
  for (const c of cells) console.log(`| ${c.join(" | ")} |`);
} else {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => String(c[i]).length)));
  const line = (c) => c.map((v, i) => (i === 0 ? String(v).padEnd(widths[i]) : String(v).padStart(widths[i]))).join("  ");
  console.log(line(header));
  for (const c of cells) console.log(line(c));
}

const low = rows.filter((r) => r.score < floor);
if (low.length > 0) {
  console.error(`mutation-score: under the ${floor} % floor: ${low.map((r) => `${r.file} (${r.score.toFixed(1)} %)`).join(", ")}`);
  process.exit(1);
}
console.error(`mutation-score: every file at ${floor} % or more`);
