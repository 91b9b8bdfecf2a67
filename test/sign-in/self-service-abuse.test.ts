// Abuse of the self-service flows: code guessing is counted in Postgres (two instances together allow
// no more guesses than one) and throttled per client address across codes; floods of codes to one
// address, of requests from one client address and of sign-ups are limited; and a flood answers the
// same for a registered and an unknown address.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "../support/harness.js";
import { formAction, inputValue } from "../support/sign-in.js";
import { FLOOD } from "../../src/sign-in/self-service/flood.js";
import { CODE } from "../../src/sign-in/self-service/codes.js";
import {
  Browser,
  codeOf,
  linkHref,
  mailTo,
  mailsTo,
  selfServicePool,
  startMailbox,
  startSignIn,
  uniqueEmail,
  type Mailbox,
} from "../support/self-service.js";

let a: TestService;
let b: TestService;
let box: Mailbox;
beforeAll(async () => {
  a = await startTestService();
  // A second instance on the same database, answering for A's public address (as behind one load balancer).
  b = await startTestService({ env: { ID_PUBLIC_BASE_URL: a.url } });
  box = await startMailbox(a);
}, 60_000);
afterAll(async () => {
  await box?.close();
  await a?.close();
  await b?.close();
});

/** Posts a form to instance B with A's Host and the browser's cookies. */
function postViaB(browser: Browser, url: string, form: Record<string, string>): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  const cookie = browser.cookies
    .filter((c) => u.pathname.startsWith(c.path))
    .map((c) => `${c.name}=${c.value}`)
    .join("; ");
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: Number(b.host.split(":")[1]),
        path: u.pathname + u.search,
        method: "POST",
        headers: {
          Host: a.host,
          Cookie: cookie,
          "Content-Type": "application/x-www-form-urlencoded",
          "Content-Length": Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const codeForm = (body: string, code: string) => ({
  csrf: inputValue(body, "csrf")!,
  code_id: inputValue(body, "code_id")!,
  address: inputValue(body, "address") ?? "",
  code,
});
const wrong = (code: string) => (code === "000000" ? "000001" : "000000");

async function otpRequest(pool: Awaited<ReturnType<typeof selfServicePool>>, email: string) {
  const browser = new Browser();
  const start = await startSignIn(browser, pool);
  const page = await browser.request(formAction(start.page.body, start.url, "/otp"), {
    form: { csrf: inputValue(start.page.body, "csrf")!, email },
  });
  return { browser, start, page };
}

describe("code guessing", () => {
  it("counts every guess in the database: guesses on two instances add up, then even the right code fails", {
    timeout: 60_000,
  }, async () => {
    const pool = await selfServicePool(a, { EmailPasswordlessSignInEnabled: true });
    const email = uniqueEmail();
    await a.ok("CreateUser", { UserPoolUid: pool.poolUid, Email: email });
    const { browser, start, page } = await otpRequest(pool, email);
    const code = codeOf(await mailTo(box, email))!;
    const verify = formAction(page.body, start.url, "/verify?purpose=sign_in");
    // 3 wrong guesses on A, 2 on B: CODE.maxAttempts (5) in all.
    for (let i = 0; i < 3; i++) expect((await browser.request(verify, { form: codeForm(page.body, wrong(code)) })).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await postViaB(browser, verify, codeForm(page.body, wrong(code)))).status).toBe(401);
    expect(CODE.maxAttempts).toBe(5);
    const right = await browser.request(verify, { form: codeForm(page.body, code) });
    expect(right.status).toBe(401);
    expect(right.location).toBeUndefined();
    const row = await a.deps.db
      .selectFrom("sign_in_codes")
      .select(["attempts", "used_at"])
      .where("account_id", "=", a.accountId)
      .where("user_pool_uid", "=", pool.poolUid)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ attempts: 5, used_at: null });
  });

  it("throttles a client address across codes: fresh codes buy a guesser nothing", { timeout: 60_000 }, async () => {
    const pool = await selfServicePool(a, { EmailPasswordlessSignInEnabled: true });
    const email = uniqueEmail();
    await a.ok("CreateUser", { UserPoolUid: pool.poolUid, Email: email });
    const { browser, start, page } = await otpRequest(pool, email);
    const code = codeOf(await mailTo(box, email))!;
    const verify = formAction(page.body, start.url, "/verify?purpose=sign_in");
    for (let i = 0; i < 5; i++) await browser.request(verify, { form: codeForm(page.body, wrong(code)) });
    // A new code (the old one is exhausted), and one more wrong guess: the address's sixth failure.
    const resent = await browser.request(formAction(page.body, start.url, "/resend?purpose=sign_in"), { form: codeForm(page.body, "") });
    expect(resent.status).toBe(200);
    const fresh = codeOf(await mailTo(box, email, 2))!;
    expect((await browser.request(verify, { form: codeForm(resent.body, wrong(fresh)) })).status).toBe(401);
    // The wait is at least a second from that failure; seen from 30 s earlier it is at least 31 s,
    // however slow this machine is.
    a.clock.advance(-30);
    try {
      const throttled = await browser.request(verify, { form: codeForm(resent.body, fresh) });
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThanOrEqual(30);
    } finally {
      a.clock.advance(30);
    }
  });
});

describe("floods", () => {
  it("limits codes to one address, answering a registered and an unknown address alike", { timeout: 90_000 }, async () => {
    const pool = await selfServicePool(a, { EmailPasswordlessSignInEnabled: true });
    const known = uniqueEmail("known");
    const unknown = uniqueEmail("unknown");
    await a.ok("CreateUser", { UserPoolUid: pool.poolUid, Email: known });
    for (const email of [known, unknown]) {
      const statuses: number[] = [];
      for (let i = 0; i <= FLOOD.mailsPerAddress; i++) statuses.push((await otpRequest(pool, email)).page.status);
      expect(statuses).toEqual([...Array(FLOOD.mailsPerAddress).fill(200), 429]);
    }
    await mailTo(box, known, FLOOD.mailsPerAddress);
    expect(mailsTo(box, known)).toBe(FLOOD.mailsPerAddress);
    expect(mailsTo(box, unknown)).toBe(0);
  });

  it("limits requests that send mail from one client address, whatever addresses they name", { timeout: 120_000 }, async () => {
    const pool = await selfServicePool(a, { EmailPasswordlessSignInEnabled: true, SelfAccountRecoveryEnabled: true });
    let last = 0;
    for (let i = 0; i < FLOOD.sendsPerClient; i++) {
      last = (await otpRequest(pool, uniqueEmail("flood"))).page.status;
      expect(last).toBe(200);
    }
    expect((await otpRequest(pool, uniqueEmail("flood"))).page.status).toBe(429);
    // The forgotten-password form counts in the same bucket.
    const browser = new Browser();
    const start = await startSignIn(browser, pool);
    const url = linkHref(start.page.body, start.url, "Forgot your password?");
    const page = await browser.request(url);
    const refused = await browser.request(formAction(page.body, url, "/forgot"), {
      form: { csrf: inputValue(page.body, "csrf")!, email: uniqueEmail() },
    });
    expect(refused.status).toBe(429);
  });

  it("limits sign-ups from one client address", { timeout: 120_000 }, async () => {
    const pool = await selfServicePool(a, { SelfSignUpEnabled: true });
    const browser = new Browser();
    const start = await startSignIn(browser, pool);
    const url = linkHref(start.page.body, start.url, "Create an account");
    const page = await browser.request(url);
    const action = formAction(page.body, url, "/signup");
    const csrf = inputValue(page.body, "csrf")!;
    // Incomplete forms count too: the limit is on asking, before any work.
    for (let i = 0; i < FLOOD.signUpsPerClient; i++)
      expect((await browser.request(action, { form: { csrf, email: "" } })).status).toBe(400);
    const refused = await browser.request(action, { form: { csrf, email: uniqueEmail(), password: "Str0ng-Sign-Up-Pass" } });
    expect(refused.status).toBe(429);
    expect((await a.ok("ListUsers", { UserPoolUid: pool.poolUid })).TotalCount).toBe(0);
  });
});
