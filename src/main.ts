// Composition root: config -> database -> migrations -> app -> server, and graceful shutdown.
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { createApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { bufferedStdout, createLogger, flushLogs } from "./log.js";
import { startHousekeeping } from "./housekeeping/worker.js";
import { drainable } from "./http-drain.js";
import { startMailWorker } from "./mail/worker.js";
import { openRuntime } from "./runtime.js";

async function main(): Promise<void> {
  const started = performance.now();
  const config = loadConfig();
  const logDestination = bufferedStdout();
  const log = createLogger(config.logLevel, logDestination);
  const runtime = await openRuntime(config, log);
  // Replaced once the server exists: nothing can be draining before then.
  let isDraining = () => false;
  const app = createApp(runtime.deps, { isDraining: () => isDraining() });
  // Without SMTP_URL reset emails stay queued in the outbox (`npm run cli -- mail list`).
  // nodemailer is loaded only when there is mail to send: it is a sixth of the idle process's memory.
  const transport = config.mail.smtpUrl
    ? (await import("./mail/smtp.js")).smtpTransport(config.mail.smtpUrl, config.mail.from)
    : undefined;
  const mailWorker = transport && startMailWorker({
    db: runtime.deps.db, log: log.child({ component: "mail" }), clock: runtime.deps.clock, transport, maxAttempts: config.mail.maxAttempts,
  });
  if (!mailWorker) log.info("SMTP_URL is not set: mail stays queued; see `npm run cli -- mail list`");
  const housekeeper = startHousekeeping({ db: runtime.deps.db, clock: runtime.deps.clock, log: log.child({ component: "housekeeping" }), domains: runtime.deps });

  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    const url = `http://${info.address.includes(":") ? `[${info.address}]` : info.address}:${info.port}`;
    log.info({ url, database: runtime.database.describe, startupMs: Math.round(performance.now() - started) }, "idplane listening");
    printWelcome(url, config.region, runtime.bootstrap);
  }) as Server;
  // A server closing an idle connection races a client sending on it (the client sees a reset): the
  // side that keeps connections longer must be the server, so behind a proxy this exceeds its timeout.
  server.keepAliveTimeout = config.keepAliveTimeoutSeconds * 1000;
  const drainer = drainable(server);
  isDraining = () => drainer.draining;

  const shutdown = async (signal: string) => {
    if (drainer.draining) return;
    const drained = drainer.drain();
    log.info({ signal, inFlight: drainer.inFlight }, "shutting down: finishing in-flight requests");
    const hardStop = setTimeout(() => {
      log.error({ inFlight: drainer.inFlight, requests: drainer.inFlightRequests() }, `in-flight requests did not finish within ${config.shutdownTimeoutSeconds} s; exiting`);
      flushLogs(logDestination);
      process.exit(1);
    }, config.shutdownTimeoutSeconds * 1000);
    hardStop.unref();
    await drained;
    // The worker's round in progress finishes (or its lease runs out later) before the database closes.
    await mailWorker?.stop();
    await housekeeper.stop();
    transport?.close();
    await runtime.close();
    log.info("stopped");
    flushLogs(logDestination);
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

/** Human-facing start-up text on stdout; the new key's secret appears here once and nowhere else. */
function printWelcome(url: string, region: string, bootstrap: Awaited<ReturnType<typeof openRuntime>>["bootstrap"]): void {
  const lines = [``, `idplane is listening on ${url}  (service "id", region "${region}", Version 2025-10-30)`];
  if (bootstrap.kind === "created") {
    lines.push(
      ``,
      `A first admin access key was created for account ${bootstrap.key.accountId}. The secret is shown this once:`,
      `  AccessKeyId:     ${bootstrap.key.accessKeyId}`,
      `  SecretAccessKey: ${bootstrap.key.secretAccessKey}`,
    );
  } else if (bootstrap.kind === "configured") {
    lines.push(``, `Admin access key from the environment: ${bootstrap.accessKeyId}`);
  } else if (bootstrap.firstKey?.enabled) {
    lines.push(``, `The admin access key ${bootstrap.firstKey.accessKeyId} printed on the first start is still valid (its secret is not shown again).`);
  } else if (bootstrap.firstKey) {
    lines.push(``, `The admin access key ${bootstrap.firstKey.accessKeyId} of the first start is disabled: enable it or create a key with \`npm run cli -- keys create\`.`);
  }
  lines.push(
    ``,
    `Call it with the official SDK (npm i @volcengine/openapi):`,
    `  const svc = new Service({ host: "${url.replace(/^http:\/\//, "")}", protocol: "http:", region: "${region}", serviceName: "id", accessKeyId, secretKey });`,
    `  await svc.createJSONAPI("CreateUserPool", { Version: "2025-10-30" })({ Name: "my-pool" });`,
    `Health: ${url}/healthz  Ready: ${url}/readyz  API description: ${url}/openapi.yaml`,
    ``,
  );
  process.stdout.write(lines.join("\n") + "\n");
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`idplane: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`idplane: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
