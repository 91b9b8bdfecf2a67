// `keys rotate-master`: re-encrypts every stored secret (every sealed column the families declare in
// src/families.ts) under the current master key ID_MASTER_KEY, opening them with the keys listed in
// ID_MASTER_KEYS_PREVIOUS. Small batches, each its own short transaction in which the rows are
// re-read FOR UPDATE and re-sealed, so servers that hold both keys keep serving throughout and a
// concurrent change to a row is never overwritten. Procedure: docs/operations.md, "Rotating the master key".
import type { Kysely } from "kysely";
import { keyIdOf, SecretBoxError, type SecretBox } from "../platform/crypto/secret-box.js";
import type { SealedSource } from "../platform/db/declarations.js";
import type { Database } from "../platform/db/schema.js";
import { sealedSources } from "../families.js";
import type { Logger } from "../platform/log.js";
import { parseArgs, UsageError } from "./args.js";
import { withRuntime } from "./runtime.js";

export interface TableReport {
  table: string;
  /** The sealed column: a table may hold more than one (identity_providers). */
  column: string;
  resealed: number;
  /** Rows under a previous key that would not open (corrupt, or bound to other data); left as they are. */
  failed: number;
  /** Rows still not under the current key afterwards (any key id), e.g. under a key not configured. */
  remaining: number;
}

export interface RotateOptions {
  /** Key ids of the previous master keys to re-seal from (the CLI derives them from ID_MASTER_KEYS_PREVIOUS). */
  fromKeyIds: string[];
  batchSize?: number;
  log?: Logger;
}

async function rotateSource<R>(db: Kysely<Database>, box: SecretBox, source: SealedSource<R>, opts: RotateOptions): Promise<TableReport> {
  const batchSize = opts.batchSize ?? 100;
  let resealed = 0;
  let failed = 0;
  let after: R | undefined;
  while (opts.fromKeyIds.length > 0) {
    const batch = await db.transaction().execute(async (trx) => {
      const rows = await source.lock(trx, opts.fromKeyIds, after, batchSize);
      let ok = 0;
      let bad = 0;
      for (const row of rows) {
        try {
          await source.reseal(trx, box, row);
          ok++;
        } catch (err) {
          if (!(err instanceof SecretBoxError)) throw err;
          bad++;
          opts.log?.error(
            { table: source.table, row: source.label(row), reason: err.message },
            "sealed secret does not open; left as it is",
          );
        }
      }
      return { rows, ok, bad };
    });
    resealed += batch.ok;
    failed += batch.bad;
    opts.log?.info({ table: source.table, resealed, failed }, "master key rotation progress");
    if (batch.rows.length < batchSize) break;
    after = batch.rows[batch.rows.length - 1];
  }
  return { table: source.table, column: source.column, resealed, failed, remaining: await source.countNotUnder(db, box.currentKeyId) };
}

/** Re-seals every secret sealed under one of opts.fromKeyIds with box's current key. */
export async function rotateMasterKey(deps: { db: Kysely<Database>; secretBox: SecretBox }, opts: RotateOptions): Promise<TableReport[]> {
  const fromKeyIds = opts.fromKeyIds.filter((id) => id !== deps.secretBox.currentKeyId);
  const reports: TableReport[] = [];
  for (const source of sealedSources) {
    reports.push(await rotateSource(deps.db, deps.secretBox, source, { ...opts, fromKeyIds }));
  }
  return reports;
}

export async function keysRotateMaster(args: string[]): Promise<number> {
  const { flags } = parseArgs(args, ["batch-size"]);
  const batchSize = Number(flags.get("batch-size") ?? "100");
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
    throw new UsageError("--batch-size is an integer from 1 to 10000");
  const { reports, currentKeyId } = await withRuntime(async (rt) => {
    if (rt.deps.config.previousMasterKeys.length === 0) {
      throw new UsageError("set ID_MASTER_KEY to the new key and ID_MASTER_KEYS_PREVIOUS to the old one(s) first");
    }
    const fromKeyIds = rt.deps.config.previousMasterKeys.map((k) => keyIdOf(Buffer.from(k, "base64")));
    const reports = await rotateMasterKey(rt.deps, { fromKeyIds, batchSize, log: rt.deps.log });
    return { reports, currentKeyId: rt.deps.secretBox.currentKeyId };
  });
  process.stdout.write(`current master key id: ${currentKeyId}\n`);
  for (const r of reports)
    process.stdout.write(
      `${`${r.table}.${r.column}`.padEnd(42)} resealed ${r.resealed}  failed ${r.failed}  remaining under other keys ${r.remaining}\n`,
    );
  const clean = reports.every((r) => r.failed === 0 && r.remaining === 0);
  process.stdout.write(
    clean
      ? "every secret is sealed under the current key; the previous keys can be removed\n"
      : "some secrets are not under the current key yet: keep the previous keys configured (see above)\n",
  );
  return clean ? 0 : 1;
}
