// Process lifecycle: start the composed service (src/compose.ts), print the welcome text, and on
// SIGTERM/SIGINT drain in-flight requests, close everything and exit, with a hard stop if the drain
// hangs. Exit codes: 0 stopped cleanly, 1 failed to start or the hard stop fired, 2 bad configuration.
import { composeService } from "./compose.js";
import { ConfigError, loadConfig } from "./platform/config.js";
import { bufferedStdout, createLogger, flushLogs } from "./platform/log.js";
import { welcomeText } from "./welcome.js";

async function main(): Promise<void> {
  const started = performance.now();
  const config = loadConfig();
  const logDestination = bufferedStdout();
  const log = createLogger(config.logLevel, logDestination);
  const service = await composeService(config, log);
  const { drainer, runtime } = service;

  void service.listening.then((url) => {
    log.info({ url, database: runtime.database.describe, startupMs: Math.round(performance.now() - started) }, "idplane listening");
    process.stdout.write(welcomeText(url, config.region, runtime.bootstrap));
  });

  const shutdown = async (signal: string) => {
    if (drainer.draining) return;
    const drained = drainer.drain();
    log.info({ signal, inFlight: drainer.inFlight }, "shutting down: finishing in-flight requests");
    const hardStop = setTimeout(() => {
      log.error(
        { inFlight: drainer.inFlight, requests: drainer.inFlightRequests() },
        `in-flight requests did not finish within ${config.shutdownTimeoutSeconds} s; exiting`,
      );
      flushLogs(logDestination);
      process.exit(1);
    }, config.shutdownTimeoutSeconds * 1000);
    hardStop.unref();
    await drained;
    await service.close();
    log.info("stopped");
    flushLogs(logDestination);
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`idplane: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`idplane: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
