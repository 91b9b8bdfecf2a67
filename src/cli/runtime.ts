// Opens the service's runtime for one CLI command and closes it after. Logs go to stderr so that
// stdout carries only the command's output.
import { loadConfig } from "../platform/config.js";
import { createLogger } from "../platform/log.js";
import { openRuntime, type Runtime } from "../platform/runtime.js";

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
