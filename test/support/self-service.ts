// Test helpers of the self-service pages: a pool with a client (consent skipped) and the settings a
// test names, a real SMTP server on loopback with the outbox worker delivering this service's mail,
// mails parsed with mailparser (text and HTML parts), and the authorization request's first page.
import * as oidc from "openid-client";
import { simpleParser } from "mailparser";
import { smtpTransport } from "../../src/platform/mail/smtp.js";
import { startMailWorker, type MailWorker } from "../../src/platform/mail/worker.js";
import type { TestService } from "./harness.js";
import { startTestSmtp, type TestSmtp } from "./families/users.js";
import { createPool, uniqueName } from "./families/user-pools.js";
import { Browser, REDIRECT, rpConfig } from "./sign-in.js";

export const STRONG = "Str0ng-Sign-Up-Pass";

export interface Pool {
  poolUid: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  config: oidc.Configuration;
}

/** A pool with `settings` (CreateUserPool fields) and a WEB client that skips consent. */
export async function selfServicePool(svc: TestService, settings: Record<string, unknown>): Promise<Pool> {
  const poolUid = await createPool(svc, { Brand: { Name: "Acme Shop", LogoUri: "" }, ...settings });
  const client = await svc.ok("CreateUserPoolClient", {
    UserPoolUid: poolUid,
    Name: "shop web",
    ClientType: "WEB",
    AllowedCallbackUrls: [REDIRECT],
    SkipConsentEnabled: true,
  });
  const pool = await svc.ok("GetUserPool", { UserPoolUid: poolUid });
  const config = await rpConfig({ issuer: pool.IssuerUrl, clientId: client.Uid }, client.ClientSecret);
  return { poolUid, issuer: pool.IssuerUrl, clientId: client.Uid, clientSecret: client.ClientSecret, config };
}

export interface Mailbox {
  smtp: TestSmtp;
  worker: MailWorker;
  close(): Promise<void>;
}

/** An SMTP server on loopback and an outbox worker for `svc`'s account only. */
export async function startMailbox(svc: TestService): Promise<Mailbox> {
  const smtp = await startTestSmtp("mailer", "smtp-secret-pw");
  const worker = startMailWorker({
    db: svc.deps.db,
    log: svc.deps.log,
    clock: svc.clock,
    transport: smtpTransport(smtp.url, "Acme <no-reply@example.com>"),
    maxAttempts: 3,
    pollIntervalMs: 50,
    accountId: svc.accountId,
  });
  return {
    smtp,
    worker,
    async close() {
      await worker.stop();
      await smtp.close();
    },
  };
}

export interface ParsedMail {
  subject: string;
  text: string;
  html: string;
}

/** The `n`th mail (from 1) to `to`, parsed. */
export async function mailTo(box: Mailbox, to: string, n = 1, timeoutMs = 20_000): Promise<ParsedMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = box.smtp.received.filter((m) => m.to.includes(to));
    if (mails.length >= n) {
      const parsed = await simpleParser(mails[n - 1]!.raw);
      return { subject: parsed.subject ?? "", text: parsed.text ?? "", html: typeof parsed.html === "string" ? parsed.html : "" };
    }
    if (Date.now() > deadline) throw new Error(`no mail #${n} to ${to} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const mailsTo = (box: Mailbox, to: string) => box.smtp.received.filter((m) => m.to.includes(to)).length;

export const codeOf = (mail: ParsedMail) => /^\s{4}(\d{6})\s*$/m.exec(mail.text)?.[1];

export const uniqueEmail = (prefix = "person") => `${uniqueName(prefix)}@example.com`;

/** Starts a code+PKCE request and follows it to the hosted sign-in page. */
export async function startSignIn(browser: Browser, pool: Pool) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(pool.config, {
    redirect_uri: REDIRECT,
    scope: "openid email",
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
  });
  const page = await browser.follow(url.href);
  return { page, url: url.href, verifier, state };
}

/** The href of the first link whose text is `text`. */
export function linkHref(html: string, base: string, text: string): string {
  const m = [...html.matchAll(/<a href="([^"]+)">([^<]*)<\/a>/g)].find((x) => x[2] === text);
  if (!m) throw new Error(`no link "${text}" in:\n${html.slice(0, 2000)}`);
  return new URL(m[1]!.replace(/&amp;/g, "&"), base).href;
}

/** A page's body without what differs between any two answers (nonces, CSRF tokens, code ids, typed addresses). */
export const shapeOf = (html: string, ...typed: string[]) =>
  typed
    .reduce((h, t) => h.split(t).join("<typed>"), html)
    .replace(/nonce="[^"]*"/g, "")
    .replace(/\/interaction\/[A-Za-z0-9_-]+/g, "/interaction/<id>")
    .replace(/name="(csrf|code_id)" value="[^"]*"/g, 'name="$1"');

export { Browser };
