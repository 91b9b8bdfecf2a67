// How many requests of one account run at once on this instance (ID_ACCOUNT_CONCURRENCY, default half
// the database pool), with a bounded queue behind them (ID_ACCOUNT_QUEUE); beyond it, Throttling at
// once. A request holds at most one database connection at a time (lists count after their page:
// src/core/page.ts), so one account can hold at most this many connections, and the rest of the
// pool stays with everyone else: five slow lists of one tenant took all ten connections, and
// another tenant's GetUserPool got no answer in 25 s (issue 22). After the signature (the account
// is known, and unsigned floods cost nothing here) and the rate limit (a throttled request never
// waits for a slot).
import type { MiddlewareHandler } from "hono";
import type { GatewayEnv } from "./context.js";
import { errors } from "../../core/errors.js";

interface Account {
  active: number;
  waiting: (() => void)[];
}

export class AccountSlots {
  private readonly accounts = new Map<string, Account>();

  constructor(
    readonly active: number,
    readonly queued: number,
  ) {}

  /** A slot's release function once the account has a free slot; undefined when its queue is full. */
  acquire(accountId: string): Promise<() => void> | undefined {
    let a = this.accounts.get(accountId);
    if (!a) this.accounts.set(accountId, (a = { active: 0, waiting: [] }));
    const account = a;
    const release = () => {
      const next = account.waiting.shift();
      // The slot passes straight to the next waiter, so a newcomer cannot overtake the queue.
      if (next) return next();
      account.active--;
      if (account.active === 0) this.accounts.delete(accountId);
    };
    if (account.active < this.active) {
      account.active++;
      return Promise.resolve(release);
    }
    if (account.waiting.length >= this.queued) return undefined;
    return new Promise((resolve) => account.waiting.push(() => resolve(release)));
  }

  /** Requests of the account running and waiting, for tests and diagnostics. */
  load(accountId: string): { active: number; waiting: number } {
    const a = this.accounts.get(accountId);
    return { active: a?.active ?? 0, waiting: a?.waiting.length ?? 0 };
  }
}

export function accountSlots(slots: AccountSlots): MiddlewareHandler<GatewayEnv> {
  const message = `the account has ${slots.active} requests in progress and ${slots.queued} waiting on this instance; retry later`;
  return async function oneAccountsShare(c, next) {
    const waiting = slots.acquire(c.get("principal").accountId);
    if (!waiting) throw errors.throttling(message, 1);
    const release = await waiting;
    try {
      await next();
    } finally {
      release();
    }
  };
}
