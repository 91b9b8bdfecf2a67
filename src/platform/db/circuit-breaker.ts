// Fail fast while the database is away. postgres.js queues a query until a connection attempt takes
// it, and fails only that attempt's first query; with its default backoff (growing to 20 s between
// attempts) requests would wait many seconds for an answer that is bound to be an error. After a
// connection error this breaker refuses at once (ServiceUnavailable) and lets a single probe through
// every retryMs; the first success closes it, so the service recovers by itself when Postgres is back.
import { isConnectionError } from "./errors.js";

export const DATABASE_DOWN = "DATABASE_DOWN";

const databaseDown = () =>
  Object.assign(new Error("the database is unreachable (failing fast until a probe succeeds)"), { code: DATABASE_DOWN });

export class CircuitBreaker {
  private down = false;
  private probing = false;
  private probeStarted = 0;
  private retryAt = 0;

  /** @param probeTimeoutMs after this a probe that never settled (a silent network) no longer blocks the next one */
  constructor(
    private readonly retryMs = 250,
    private readonly probeTimeoutMs = 5000,
  ) {}

  /** Runs work unless the database is known to be down; a probe's outcome opens or closes the breaker. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    let probe = false;
    if (this.down) {
      const now = performance.now();
      if ((this.probing && now - this.probeStarted < this.probeTimeoutMs) || now < this.retryAt) throw databaseDown();
      this.probing = probe = true;
      this.probeStarted = now;
    }
    try {
      const result = await work();
      this.down = false;
      return result;
    } catch (err) {
      this.observe(err);
      throw err;
    } finally {
      if (probe) this.probing = false;
    }
  }

  /** Notes an error seen outside run() (a statement inside a transaction). */
  observe(err: unknown): void {
    if (!isConnectionError(err)) return;
    this.down = true;
    this.retryAt = performance.now() + this.retryMs;
  }
}
