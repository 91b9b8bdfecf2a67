// Work whose cost depends on whether an address is registered (looking the user up, starting a reset,
// queueing a mail) runs after the answer is sent, so the answer's timing says nothing about the
// address: a registered and an unknown one are answered after the same work. A failure is logged by
// name only (an error's message may name the address).
import type { SignInDeps } from "../provider.js";

export function afterAnswer(deps: Pick<SignInDeps, "log">, what: string, work: () => Promise<unknown>): void {
  setImmediate(() => {
    work().catch((err: Error) =>
      deps.log.error({ work: what, err: { name: err?.name, code: (err as { code?: string })?.code } }, "self-service work failed"),
    );
  });
}
