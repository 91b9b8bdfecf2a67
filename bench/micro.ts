// Micro-benchmarks of the signed request path's CPU work (tinybench): signature verification with a
// cached and an uncached signing key, the hash primitives from @noble/hashes, WebCrypto and
// node:crypto, parameter decoding, and envelope rendering. Prints a table and returns the medians.
import { createHash, createHmac, webcrypto } from "node:crypto";
import { hmac as nobleHmac } from "@noble/hashes/hmac.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { Bench } from "tinybench";
import { userPoolActions } from "../src/user-pools/actions.js";
import { errorEnvelope, newRequestId, successEnvelope } from "../src/control-plane/gateway/envelope.js";
import { errors } from "../src/core/errors.js";
import { paramsFromJson, parseParams } from "../src/control-plane/gateway/params.js";
import { deriveSigningKey } from "../src/platform/crypto/signature-hash.js";
import {
  checkTimestamp,
  parseAuthentication,
  verifySignature,
  type IncomingSignedRequest,
} from "../src/control-plane/gateway/signing/verify.js";
import { authorizationHeader, sha256hex, xDateOf } from "../test/support/signer.js";

export interface MicroResult {
  name: string;
  medianNs: number;
  opsPerSec: number;
}

/** A realistic signed GetUserPool as the Go SDK sends it. */
function signedGetUserPool() {
  const body = JSON.stringify({ UserPoolUid: "b3053494-998a-4d82-9e6c-b84c4a49efbe" });
  const xDate = xDateOf(new Date());
  const headers: Record<string, string> = {
    Host: "127.0.0.1:8080",
    "Content-Type": "application/json",
    "X-Date": xDate,
    "X-Content-Sha256": sha256hex(body),
  };
  const input = {
    method: "POST",
    path: "/",
    query: [
      ["Action", "GetUserPool"],
      ["Version", "2025-10-30"],
    ] as [string, string][],
    headers,
    body,
    accessKeyId: "AKLTbench",
    secretKey: "benchSecretKey0000000000",
    region: "cn-beijing",
    service: "id",
    xDate,
  };
  const all: Record<string, string> = { ...headers, Authorization: authorizationHeader(input) };
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), v]));
  const request: IncomingSignedRequest = {
    method: "POST",
    rawPath: "/",
    rawQuery: "Action=GetUserPool&Version=2025-10-30",
    header: (n) => lower[n],
  };
  return { request, body: new TextEncoder().encode(body), xDate, secret: input.secretKey };
}

export async function runMicro(timeMs = 1000): Promise<MicroResult[]> {
  const { request, body, xDate, secret } = signedGetUserPool();
  const cachedKey = deriveSigningKey(secret, xDate.slice(0, 8), "cn-beijing", "id");
  const verify = (key: Uint8Array) => {
    const auth = parseAuthentication(request);
    checkTimestamp(auth, Date.now(), 900);
    if (!verifySignature(auth, request, body, key)) throw new Error("benchmark request does not verify");
  };
  const message = "HMAC-SHA256\n20251030T080910Z\n20251030/cn-beijing/id/request\n" + "a".repeat(64);
  const webKey = await webcrypto.subtle.importKey("raw", cachedKey, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const getInput = userPoolActions.find((a) => a.name === "GetUserPool")!.input;
  const createInput = userPoolActions.find((a) => a.name === "CreateUserPool")!.input;
  const createBody = new TextEncoder().encode(
    JSON.stringify({ name: "pool", PasswordPolicy: { minLength: "12", RequireDigits: "true" }, CustomScopes: ["a:b", "c:d"] }),
  );
  const ctx = { requestId: newRequestId(), action: "GetUserPool", version: "2025-10-30", region: "cn-beijing" };
  const pool = {
    Uid: "b3053494-998a-4d82-9e6c-b84c4a49efbe",
    Name: "pool",
    Enabled: true,
    CreateTime: "2025-10-30T08:09:10Z",
    PasswordPolicy: { MinLength: 8 },
  };

  const bench = new Bench({ time: timeMs, warmupTime: 200 });
  bench
    .add("verify: cached signing key", () => verify(cachedKey))
    .add("verify: key derived per request", () => verify(deriveSigningKey(secret, xDate.slice(0, 8), "cn-beijing", "id")))
    .add("hmac-sha256: @noble/hashes", () => bytesToHex(nobleHmac(nobleSha256, cachedKey, new TextEncoder().encode(message))))
    .add("hmac-sha256: node:crypto", () => createHmac("sha256", cachedKey).update(message).digest("hex"))
    .add("hmac-sha256: WebCrypto (async)", async () => {
      await webcrypto.subtle.sign("HMAC", webKey, new TextEncoder().encode(message));
    })
    .add("sha256 of 64 B body: @noble/hashes", () => bytesToHex(nobleSha256(body)))
    .add("sha256 of 64 B body: node:crypto", () => createHash("sha256").update(body).digest("hex"))
    .add("params: GetUserPool (JSON + zod)", () => parseParams(getInput, paramsFromJson(body)))
    .add("params: CreateUserPool, mixed case and strings", () => parseParams(createInput, paramsFromJson(createBody)))
    .add("envelope: success JSON", () => JSON.stringify(successEnvelope(ctx, pool)))
    .add("envelope: error JSON", () => JSON.stringify(errorEnvelope(ctx, errors.notFound("UserPool x"))));
  await bench.run();
  return bench.tasks.map((t) => {
    const r = t.result as unknown as { latency?: { p50?: number }; throughput?: { mean?: number } } | undefined;
    const medianMs = r?.latency?.p50 ?? Number.NaN;
    return { name: t.name, medianNs: Math.round(medianMs * 1e6), opsPerSec: Math.round(r?.throughput?.mean ?? Number.NaN) };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await runMicro();
  console.table(results.map((r) => ({ task: r.name, "median µs": (r.medianNs / 1000).toFixed(2), "ops/s": r.opsPerSec })));
}
