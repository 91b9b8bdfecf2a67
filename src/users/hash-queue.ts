// The fair scheduler in front of password hashing, and of the other CPU work a caller can ask for
// on the same threadpool (SAML SP key pairs, src/identity-providers/sp-keys.ts). scrypt runs on
// libuv's threadpool, whose queue is one FIFO for the whole process: a tenant that asks for 300 hashes puts everyone else's hash behind
// all 300 (issue 10, finding 4). Here at most `concurrency` hashes are handed to the threadpool at
// once, and the rest wait in one lane per account; lanes are served round-robin, one job per turn.
// A job of a lane that was empty therefore starts after at most one job of each other busy lane,
// however deep their backlogs are. Within one lane jobs run in arrival order.
//
// Hand-written (about 40 lines of logic) because the queue libraries at hand are not fair across
// keys: p-limit is one FIFO, p-queue orders by priority. Every job costs about the same (one scrypt
// at today's parameters), so plain round-robin is already a fair share; no weights are needed.
import { availableParallelism } from "node:os";

export interface HashQueue {
  /** Runs `work` when a slot is free and it is `lane`'s turn; settles as `work` does. */
  run<T>(lane: string, work: () => Promise<T>): Promise<T>;
  readonly concurrency: number;
  /** Jobs handed to the threadpool, jobs waiting, lanes with waiting jobs. */
  stats(): { running: number; waiting: number; lanes: number };
}

type Job = () => void;

/** libuv's default when UV_THREADPOOL_SIZE is unset. */
export const DEFAULT_THREADPOOL_SIZE = 4;

/**
 * One hash per core, and never the whole threadpool: scrypt is pure CPU, so more hashes than cores
 * only stretch each one (and the wait of the next tenant's hash behind them) and add 32 MiB each;
 * one thread stays free for what else needs the pool (fs, dns.lookup, zlib).
 */
export function defaultHashConcurrency(threadpoolSize = DEFAULT_THREADPOOL_SIZE, cores = availableParallelism()): number {
  return Math.max(1, Math.min(cores, threadpoolSize - 1));
}

export function createHashQueue(opts: { concurrency: number }): HashQueue {
  const { concurrency } = opts;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error("a hash queue needs a concurrency of at least 1");
  // A Map keeps insertion order: its first entry is the lane whose turn it is, and a served lane
  // with more work is re-inserted at the end.
  const lanes = new Map<string, Job[]>();
  let running = 0;
  let waiting = 0;

  function pump(): void {
    while (running < concurrency) {
      const next = lanes.entries().next();
      if (next.done) return;
      const [lane, jobs] = next.value;
      const job = jobs.shift()!;
      lanes.delete(lane);
      if (jobs.length) lanes.set(lane, jobs);
      waiting--;
      running++;
      job();
    }
  }

  return {
    concurrency,
    stats: () => ({ running, waiting, lanes: lanes.size }),
    run<T>(lane: string, work: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        // The slot is freed (and the next job started) before the caller hears back; a synchronous
        // throw in work() frees it like a rejection does.
        const done = () => {
          running--;
          pump();
        };
        const job: Job = () => {
          new Promise<T>((res) => res(work())).then(
            (value) => (done(), resolve(value)),
            (err: unknown) => (done(), reject(err)),
          );
        };
        const jobs = lanes.get(lane);
        if (jobs) jobs.push(job);
        else lanes.set(lane, [job]);
        waiting++;
        pump();
      });
    },
  };
}
