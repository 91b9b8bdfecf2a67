// `mail list`: the outbox, newest first. For local development without SMTP_URL, queued reset
// emails (and their links) and the hosted pages' code mails (their text) are read here. Sent and failed messages show metadata only: their body
// and link were wiped when they left the queue.
import { listOutbox, type OutboxRow } from "../platform/mail/outbox.js";
import type { MailStatus } from "../platform/mail/tables.js";
import { parseArgs, UsageError } from "./args.js";
import { withRuntime } from "./runtime.js";

const STATUSES: MailStatus[] = ["queued", "sent", "failed"];

export function formatOutbox(rows: OutboxRow[]): string {
  if (rows.length === 0) return "the outbox is empty\n";
  return (
    rows
      .map((r) =>
        [
          `#${r.id}  ${r.status.toUpperCase()}  ${r.kind}  to ${r.recipient}  account ${r.account_id}  pool ${r.user_pool_uid}`,
          `  created ${r.created_at.toISOString()}  attempts ${r.attempts}` +
            (r.status === "queued" ? `  next attempt ${r.next_attempt_at.toISOString()}` : "") +
            (r.sent_at ? `  sent ${r.sent_at.toISOString()}` : ""),
          ...(r.link ? [`  link: ${r.link}`] : []),
          // A hosted page's code mail has no link: its text (with the code) is what local development reads.
          ...(r.status === "queued" && !r.link && r.body_text
            ? r.body_text
                .trimEnd()
                .split("\n")
                .map((l) => `  | ${l}`)
            : []),
          ...(r.last_error ? [`  last error: ${r.last_error}`] : []),
        ].join("\n"),
      )
      .join("\n") + "\n"
  );
}

export async function mailList(args: string[]): Promise<number> {
  const { flags } = parseArgs(args, ["status", "limit"]);
  const status = flags.get("status") as MailStatus | undefined;
  if (status !== undefined && !STATUSES.includes(status)) throw new UsageError(`--status is one of ${STATUSES.join(", ")}`);
  const limit = Number(flags.get("limit") ?? 20);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError("--limit is 1..1000");
  const rows = await withRuntime((rt) => listOutbox(rt.deps.db, { status, limit }));
  process.stdout.write(formatOutbox(rows));
  return 0;
}
