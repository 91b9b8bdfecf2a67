// The human-facing start-up text on stdout; the new key's secret appears here once and nowhere else.
import type { BootstrapOutcome } from "./access-keys/service.js";
import { API_VERSION } from "./control-plane/gateway/envelope.js";

export function welcomeText(url: string, region: string, bootstrap: BootstrapOutcome): string {
  const lines = [``, `idplane is listening on ${url}  (service "id", region "${region}", Version ${API_VERSION})`];
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
    lines.push(
      ``,
      `The admin access key ${bootstrap.firstKey.accessKeyId} printed on the first start is still valid (its secret is not shown again).`,
    );
  } else if (bootstrap.firstKey) {
    lines.push(
      ``,
      `The admin access key ${bootstrap.firstKey.accessKeyId} of the first start is disabled: enable it or create a key with \`npm run cli -- keys create\`.`,
    );
  }
  lines.push(
    ``,
    `Call it with the official SDK (npm i @volcengine/openapi):`,
    `  const svc = new Service({ host: "${url.replace(/^http:\/\//, "")}", protocol: "http:", region: "${region}", serviceName: "id", accessKeyId, secretKey });`,
    `  await svc.createJSONAPI("CreateUserPool", { Version: "${API_VERSION}" })({ Name: "my-pool" });`,
    `Health: ${url}/healthz  Ready: ${url}/readyz  API description: ${url}/openapi.yaml`,
    ``,
  );
  return lines.join("\n") + "\n";
}
