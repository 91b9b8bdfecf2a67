// Composition: builds the running service from its configuration (database, migrations, app, mail
// and housekeeping workers, HTTP server) and knows how to take it apart again. Nothing here touches
// the process (signals, exit codes, timers that end it): that is src/main.ts.
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { createServerApp } from "./app.js";
import type { Config } from "./platform/config.js";
import { startHousekeeping } from "./platform/housekeeping/worker.js";
import { drainable, type Drainer } from "./platform/http-drain.js";
import type { Logger } from "./platform/log.js";
import { startMailWorker } from "./platform/mail/worker.js";
import { openRuntime, type Runtime } from "./platform/runtime.js";

export interface Service {
  runtime: Runtime;
  /** Tracks in-flight requests; drain() is what a graceful stop starts with. */
  drainer: Drainer;
  /** Resolves with the base URL once the server listens. */
  listening: Promise<string>;
  /** Stops the workers and closes the database: call after the drainer has drained. */
  close(): Promise<void>;
}

export async function composeService(config: Config, log: Logger): Promise<Service> {
  const runtime = await openRuntime(config, log);
  // Replaced once the server exists: nothing can be draining before then.
  let isDraining = () => false;
  const app = createServerApp(runtime.deps, { isDraining: () => isDraining() });
  // Without SMTP_URL reset emails stay queued in the outbox (`npm run cli -- mail list`).
  // nodemailer is loaded only when there is mail to send: it is a sixth of the idle process's memory.
  // (The bundle keeps it so: `npm run build` splits at dynamic imports, else esbuild hoists the import.)
  const transport = config.mail.smtpUrl
    ? (await import("./platform/mail/smtp.js")).smtpTransport(config.mail.smtpUrl, config.mail.from)
    : undefined;
  const mailWorker =
    transport &&
    startMailWorker({
      db: runtime.deps.db,
      log: log.child({ component: "mail" }),
      clock: runtime.deps.clock,
      transport,
      maxAttempts: config.mail.maxAttempts,
    });
  if (!mailWorker) log.info("SMTP_URL is not set: mail stays queued; see `npm run cli -- mail list`");
  const housekeeper = startHousekeeping({
    db: runtime.deps.db,
    clock: runtime.deps.clock,
    log: log.child({ component: "housekeeping" }),
    domains: runtime.deps,
  });

  let server!: Server;
  const listening = new Promise<string>((resolve) => {
    // A client sending its headers or body slowly held a socket as long as it liked (one header line
    // every 2 s stayed open over 75 s): Node closes such a connection with 408 once a limit passes,
    // noticed by a sweep every second instead of Node's default 30 s.
    const serverOptions = {
      headersTimeout: config.httpTimeouts.headersSeconds * 1000,
      requestTimeout: config.httpTimeouts.requestSeconds * 1000,
      connectionsCheckingInterval: 1000,
    };
    server = serve({ fetch: app.fetch, port: config.port, hostname: config.host, serverOptions }, (info) =>
      resolve(`http://${info.address.includes(":") ? `[${info.address}]` : info.address}:${info.port}`),
    ) as Server;
  });
  // A server closing an idle connection races a client sending on it (the client sees a reset): the
  // side that keeps connections longer must be the server, so behind a proxy this exceeds its timeout.
  server.keepAliveTimeout = config.keepAliveTimeoutSeconds * 1000;
  const drainer = drainable(server);
  isDraining = () => drainer.draining;

  return {
    runtime,
    drainer,
    listening,
    async close() {
      // The worker's round in progress finishes (or its lease runs out later) before the database closes.
      await mailWorker?.stop();
      await housekeeper.stop();
      transport?.close();
      await runtime.close();
    },
  };
}
