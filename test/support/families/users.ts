// Helpers for the users and password reset tests (pools, users, reset tokens, a real SMTP server on
// loopback with password auth, a capturing logger), and this family's cases for the shared security
// suite: every action that names a resource, with params pointing at the service's own account.
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { Service } from "@volcengine/openapi";
import { SMTPServer } from "smtp-server";
import { createLogger, type Logger } from "../../../src/platform/log.js";
import type { CrossAccountCase } from "../security-cases.js";
import { REGION, VERSION, type Envelope, type TestService } from "../harness.js";
import { createPool, uniqueName } from "./user-pools.js";

/**
 * Like svc.call, with a longer client timeout than the SDK's default 10 s: a 100-user CreateUsers
 * with passwords runs 100 scrypt hashes, which on a busy two-core machine can take longer.
 */
export async function callPatiently(
  svc: TestService,
  action: string,
  params: Record<string, unknown>,
  timeoutMs = 60_000,
): Promise<Envelope> {
  const client = new Service({
    host: svc.host,
    protocol: "http:",
    region: REGION,
    serviceName: "id",
    accessKeyId: svc.admin.accessKeyId,
    secretKey: svc.admin.secretAccessKey,
  });
  const api = client.createAPI(action, { Version: VERSION, method: "POST", contentType: "json" });
  return (await api(params, { timeout: timeoutMs } as never)) as unknown as Envelope;
}

const unique = uniqueName;

/** A fresh pool with a reset URL (and any other fields given); returns its uid. */
export const newPool = (svc: TestService, fields: Record<string, unknown> = {}) =>
  createPool(svc, { ResetPasswordUrl: "https://app.example.com/reset", ...fields });

/** A fresh user with an email address; returns its uid and email. */
export async function newUser(svc: TestService, poolUid: string, fields: Record<string, unknown> = {}) {
  const email = `${unique("user")}@example.com`;
  const user = await svc.ok("CreateUser", { UserPoolUid: poolUid, Email: email, ...fields });
  return { uid: user.Uid as string, email };
}

/** The token of the newest queued reset email to `email`, read from the outbox like `mail list` does. */
export async function queuedResetToken(svc: TestService, email: string): Promise<string> {
  const row = await svc.deps.db
    .selectFrom("mail_outbox")
    .select("link")
    .where("account_id", "=", svc.accountId)
    .where("recipient", "=", email)
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  return new URL(row.link!).searchParams.get("token")!;
}

async function poolAndUser(svc: TestService) {
  const poolUid = await newPool(svc);
  const { uid, email } = await newUser(svc, poolUid);
  return { poolUid, uid, email };
}

export const crossAccountCases: CrossAccountCase[] = [
  { action: "CreateUser", params: async (svc) => ({ UserPoolUid: await newPool(svc), Email: "x@example.com" }) },
  { action: "CreateUsers", params: async (svc) => ({ UserPoolUid: await newPool(svc), Users: [{ Email: "x@example.com" }] }) },
  {
    action: "GetUser",
    params: async (svc) => {
      const { poolUid, uid } = await poolAndUser(svc);
      return { UserPoolUid: poolUid, UserUid: uid };
    },
  },
  { action: "ListUsers", params: async (svc) => ({ UserPoolUid: (await poolAndUser(svc)).poolUid }) },
  {
    action: "UpdateUser",
    params: async (svc) => {
      const { poolUid, uid } = await poolAndUser(svc);
      return { UserPoolUid: poolUid, UserUid: uid, Nickname: "changed" };
    },
  },
  {
    action: "UpdateUsers",
    params: async (svc) => {
      const { poolUid, uid } = await poolAndUser(svc);
      return { UserPoolUid: poolUid, Users: [{ UserUid: uid, Nickname: "changed" }] };
    },
  },
  {
    action: "DeleteUsers",
    params: async (svc) => {
      const { poolUid, uid } = await poolAndUser(svc);
      return { UserPoolUid: poolUid, UserUids: [uid] };
    },
  },
  {
    action: "ResetPassword",
    params: async (svc) => {
      const { poolUid, uid } = await poolAndUser(svc);
      return { UserPoolUid: poolUid, UserUid: uid };
    },
  },
  {
    action: "CompletePasswordReset",
    params: async (svc) => {
      // A real, usable token of svc's account: another account must still get NotFound for the pool.
      const { poolUid, uid, email } = await poolAndUser(svc);
      await svc.ok("ResetPassword", { UserPoolUid: poolUid, UserUid: uid });
      return { UserPoolUid: poolUid, Token: await queuedResetToken(svc, email), NewPassword: "a-long-enough-password" };
    },
  },
];

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  /** The text body, quoted-printable decoded. */
  text: string;
}

export interface TestSmtp {
  url: string;
  received: ReceivedMail[];
  /** Resolves with the first message to `to` (waits up to timeoutMs). */
  waitFor(to: string, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/** Undoes quoted-printable: soft line breaks and =XX escapes (nodemailer uses it for long lines). */
export function decodeQuotedPrintable(text: string): string {
  const bytes = Buffer.from(
    text.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    "latin1",
  );
  return bytes.toString("utf8");
}

export async function startTestSmtp(user: string, pass: string): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === pass) cb(null, { user });
      else cb(new Error("invalid credentials"));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const body = raw.slice(raw.indexOf("\r\n\r\n") + 4);
        const qp = /content-transfer-encoding:\s*quoted-printable/i.test(raw);
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          text: qp ? decodeQuotedPrintable(body) : body,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${port}`,
    received,
    async waitFor(to, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find((m) => m.to.includes(to));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no mail to ${to} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A logger whose lines are kept, like svc.logs, for the no-secrets-in-logs check. */
export function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger("debug", sink), lines };
}
