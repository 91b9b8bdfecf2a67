// postgres.js's connection queues (node_modules/postgres/src/queue.js), as patches/postgres+3.4.9.patch
// leaves them: remove() searches only the live part and shift() drops the shifted slots once they
// are most of the array. Whatever the order of pushes, shifts and removes, the queue must answer as
// a plain list would (bench/postgres-queue.ts measures why the patch is there).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
// @ts-expect-error: the package's own module, not in its exports map or its types.
import Queue from "../../../node_modules/postgres/src/queue.js";

interface PgQueue<T> {
  readonly length: number;
  push(x: T): T;
  shift(): T | undefined;
  remove(x: T): T | null;
}

type Op = { op: "push" } | { op: "shift" } | { op: "remove"; which: number };
const ops = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.constant<Op>({ op: "push" }) },
    { weight: 3, arbitrary: fc.constant<Op>({ op: "shift" }) },
    { weight: 2, arbitrary: fc.nat(5000).map((which): Op => ({ op: "remove", which })) },
  ),
  { maxLength: 6000 },
);

describe("postgres.js's queue, patched", () => {
  it("answers as a list does for any sequence of pushes, shifts and removes", () => {
    fc.assert(
      fc.property(ops, (sequence) => {
        const queue = (Queue as (initial?: object[]) => PgQueue<object>)();
        const model: object[] = [];
        const made: object[] = [];
        for (const step of sequence) {
          if (step.op === "push") {
            const x = { n: made.length };
            made.push(x);
            model.push(x);
            expect(queue.push(x)).toBe(x);
          } else if (step.op === "shift") {
            expect(queue.shift()).toBe(model.shift());
          } else {
            // Any element ever made: still queued, already shifted or already removed.
            const x = made[step.which % Math.max(made.length, 1)] ?? {};
            const at = model.indexOf(x);
            if (at !== -1) model.splice(at, 1);
            expect(queue.remove(x)).toBe(at === -1 ? null : x);
          }
          expect(queue.length).toBe(model.length);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("keeps its order across the point where it drops shifted slots", () => {
    const queue = (Queue as () => PgQueue<number>)();
    for (let i = 0; i < 5000; i++) queue.push(i);
    for (let i = 0; i < 4000; i++) expect(queue.shift()).toBe(i);
    expect(queue.remove(4500)).toBe(4500);
    expect(queue.remove(10)).toBeNull();
    expect(queue.length).toBe(999);
    expect(queue.shift()).toBe(4000);
  });
});
