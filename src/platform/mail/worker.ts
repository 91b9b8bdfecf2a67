// The background mail worker: polls the outbox, delivers due messages, and marks each one. Claims are
// leases in the database, so a crash or restart loses nothing: a message claimed by a process that
// died is claimed again when its lease runs out (delivery is at least once). Failures are retried
// with exponential backoff; after maxAttempts the message is marked failed.
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.js";
import type { Clock } from "../../deps.js";
import type { Logger } from "../log.js";
import { isPlainEmail } from "../../core/email.js";
import { claimDue, markFailed, markRetry, markSent, type OutboxRow } from "./outbox.js";
import type { MailTransport } from "./smtp.js";

export interface MailWorkerOptions {
  db: Kysely<Database>;
  log: Logger;
  clock: Clock;
  transport: MailTransport;
  maxAttempts: number;
  pollIntervalMs?: number;
  batchSize?: number;
  /** How long a claimed message stays invisible to other workers. */
  leaseSeconds?: number;
  /** First retry delay; doubles per attempt up to maxBackoffSeconds. */
  backoffSeconds?: number;
  maxBackoffSeconds?: number;
  /** Do not poll; the caller drives rounds with runOnce (tests, one-shot CLI runs). */
  manual?: boolean;
  /** Serve one account only (a worker per shard; tests use it to stay out of each other's mail). */
  accountId?: string;
}

export interface MailWorker {
  /** Delivers what is due now; returns how many messages it handled. */
  runOnce(): Promise<number>;
  /** Stops polling and waits for the round in progress. */
  stop(): Promise<void>;
}

const NOT_PLAIN = "the recipient is not a plain email address; correct the user's Email and reset again";

export function backoffDelaySeconds(attempts: number, base: number, cap: number): number {
  return Math.min(cap, base * 2 ** Math.max(0, attempts - 1));
}

/** An error reduced to a short, credential-free line for the log and the outbox row. */
function describe(err: unknown): string {
  const e = err as { code?: string; responseCode?: number; message?: string };
  const text = [e?.code, e?.responseCode, e?.message ?? String(err)].filter((v) => v !== undefined).join(" ");
  return text.replace(/\/\/[^@\s/]*@/g, "//***@").slice(0, 500);
}

export function startMailWorker(opts: MailWorkerOptions): MailWorker {
  const { db, log, clock, transport } = opts;
  const batchSize = opts.batchSize ?? 10;
  const lease = opts.leaseSeconds ?? 120;
  const base = opts.backoffSeconds ?? 30;
  const cap = opts.maxBackoffSeconds ?? 3600;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<number> = Promise.resolve(0);

  async function deliver(row: OutboxRow): Promise<void> {
    const ctx = { mailId: row.id, kind: row.kind, attempt: row.attempts };
    // Queued before the address rule was tightened (a user stored as "x<victim@corp.example>"):
    // such a recipient could name another mailbox, so it is given up on, never tried.
    if (!isPlainEmail(row.recipient)) {
      await markFailed(db, row, NOT_PLAIN);
      log.error({ ...ctx, reason: NOT_PLAIN }, "mail failed for good");
      return;
    }
    try {
      if (row.body_text === null) throw new Error("the message has no body");
      await transport.send({ to: row.recipient, subject: row.subject, text: row.body_text, ...(row.body_html && { html: row.body_html }) });
      await markSent(db, row, clock.now());
      log.info(ctx, "mail sent");
    } catch (err) {
      const reason = describe(err);
      if (row.attempts >= opts.maxAttempts) {
        await markFailed(db, row, reason);
        log.error({ ...ctx, reason }, "mail failed for good");
      } else {
        const delay = backoffDelaySeconds(row.attempts, base, cap);
        await markRetry(db, row, new Date(clock.now().getTime() + delay * 1000), reason);
        log.warn({ ...ctx, reason, retryInSeconds: delay }, "mail delivery failed; will retry");
      }
    }
  }

  async function runOnce(): Promise<number> {
    const now = clock.now();
    const rows = await claimDue(db, now, new Date(now.getTime() + lease * 1000), batchSize, opts.accountId);
    await Promise.all(rows.map(deliver));
    return rows.length;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      round = runOnce().catch((err) => {
        log.error({ reason: describe(err) }, "mail worker round failed");
        return 0;
      });
      // A full batch suggests more is waiting: go again at once instead of after the interval.
      void round.then((n) => schedule(n === batchSize ? 0 : interval));
    }, delayMs);
  }

  const interval = opts.pollIntervalMs ?? 1000;
  if (!opts.manual) schedule(0);
  return {
    runOnce: () => (round = round.then(runOnce, runOnce)),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await round.catch(() => {});
    },
  };
}
