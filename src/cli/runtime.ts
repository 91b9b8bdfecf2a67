// Opens the service's runtime for one CLI command and closes it after. Logs go to stderr so that
// stdout carries only the command's output.
import { loadConfig } from "../config.js";
import { createLogger } from "../log.js";
import { openRuntime, type Runtime } from "../runtime.js";

export async function withRuntime<T>(work: (runtime: Runtime) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const log = createLogger(process.env.LOG_LEVEL ?? "warn", process.stderr);
  const runtime = await openRuntime(config, log, { skipBootstrap: true, attach: true });
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}
