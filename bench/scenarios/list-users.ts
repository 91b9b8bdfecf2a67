// Scenario E: ListUsers deep in a 100,000-user pool, following the keyset cursor.
import { actions } from "../../src/actions/index.js";
import type { Credentials, scenario, Server } from "../load.js";

export async function deepListScenario(
  _service: Server,
  _creds: Credentials,
  _connections: number,
): Promise<Awaited<ReturnType<typeof scenario>> | undefined> {
  if (!actions.has("ListUsers")) {
    process.stderr.write("bench: E skipped, the users family is not in this build\n");
    return undefined;
  }
  return undefined;
}
