// A switchable reverse proxy on loopback: the one public address two test instances answer for
// (their ID_PUBLIC_BASE_URL), sending every request to whichever instance the test routes to, and
// counting what each served. Tests use it to start a flow on one instance and finish it on another.
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { startTestService, type TestService } from "../harness.js";

export interface SwitchProxy {
  /** http://127.0.0.1:<port>: the instances' public base URL. */
  base: string;
  route(to: TestService): void;
  /** Requests sent to `s` so far. */
  served(s: TestService): number;
  close(): Promise<void>;
}

export async function startSwitchProxy(): Promise<SwitchProxy> {
  let target: TestService | undefined;
  const counts = new Map<TestService, number>();
  const server = createServer((req, res) => {
    const to = target;
    if (!to) return void res.writeHead(503).end();
    counts.set(to, (counts.get(to) ?? 0) + 1);
    const up = request(
      { host: "127.0.0.1", port: Number(to.host.split(":")[1]), path: req.url, method: req.method, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    route: (to) => void (target = to),
    served: (s) => counts.get(s) ?? 0,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Two instances on the test database behind one switch proxy (the public address both answer for), routed to the first. */
export interface TwoInstances {
  proxy: SwitchProxy;
  a: TestService;
  b: TestService;
  close(): Promise<void>;
}

export async function startTwoInstances(env: Record<string, string> = {}): Promise<TwoInstances> {
  const proxy = await startSwitchProxy();
  const a = await startTestService({ env: { ...env, ID_PUBLIC_BASE_URL: proxy.base } });
  const b = await startTestService({ env: { ...env, ID_PUBLIC_BASE_URL: proxy.base } });
  proxy.route(a);
  return {
    proxy,
    a,
    b,
    async close() {
      await a.close();
      await b.close();
      await proxy.close();
    },
  };
}
