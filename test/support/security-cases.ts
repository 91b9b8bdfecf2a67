// The contract between each family's tests and the shared security suite (test/control-plane/security.test.ts):
// for every action that names a resource, how to make params that point at a resource of the
// service's own account. The suite then calls with another account's admin key and expects NotFound.
import type { TestService } from "./harness.js";

export interface CrossAccountCase {
  action: string;
  /** Creates what is needed in svc's account and returns valid params naming it. */
  params(svc: TestService): Promise<Record<string, unknown>>;
}
