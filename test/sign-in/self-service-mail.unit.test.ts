// The self-service mails and pages without a server: both languages, text and HTML with the code or
// link, the brand escaped in HTML, the logo only from https; the password policy as the page lists
// it; and `mail list` showing a queued code mail's text (there is no link to show).
import { describe, expect, it } from "vitest";
import { formatOutbox } from "../../src/cli/mail.js";
import { alreadyRegisteredMail, codeMail, resetMail } from "../../src/sign-in/self-service/mail.js";
import { policyList } from "../../src/sign-in/self-service/pages.js";
import { selfServiceEn } from "../../src/sign-in/self-service/strings/en.js";
import { selfServiceZhCN } from "../../src/sign-in/self-service/strings/zh-CN.js";
import type { OutboxRow } from "../../src/platform/mail/outbox.js";

const brand = { name: 'Shop <b>"&', logoUri: "https://cdn.example.com/logo.png" };

describe("self-service mails", () => {
  it("carries the code in text and HTML, in English and Chinese, with the brand escaped", () => {
    const en = codeMail(selfServiceEn, "en", brand, "pool", "sign_in", "012345");
    expect(en.subject).toBe('Your Shop <b>"& sign-in code');
    expect(en.bodyText).toMatch(/^ {4}012345$/m);
    expect(en.bodyHtml).toContain(">012345<");
    expect(en.bodyHtml).toContain("Shop &lt;b&gt;&quot;&amp;");
    expect(en.bodyHtml).not.toContain("<b>");
    expect(en.bodyHtml).toContain('src="https://cdn.example.com/logo.png"');
    const zh = codeMail(selfServiceZhCN, "zh-CN", { name: "", logoUri: "http://insecure.example.com/l.png" }, "商店", "sign_up", "999999");
    expect(zh.subject).toBe("你的 商店 验证码");
    expect(zh.bodyHtml).toContain('lang="zh-CN"');
    expect(zh.bodyHtml).not.toContain("insecure.example.com");
    expect(zh.bodyText).toContain("10 分钟");
  });

  it("links the reset page in both parts, and the notice carries no code", () => {
    const link = "https://id.example.com/userpool/p/reset-password?token=abc&x=1";
    const m = resetMail(selfServiceEn, "en", brand, "pool", link, new Date("2030-01-01T00:00:00Z"));
    expect(m.bodyText).toContain(link);
    expect(m.bodyHtml).toContain('href="https://id.example.com/userpool/p/reset-password?token=abc&amp;x=1"');
    expect(m.bodyText).toContain("2030-01-01T00:00:00Z");
    const notice = alreadyRegisteredMail(selfServiceEn, "en", brand, "pool");
    expect(notice.bodyText).not.toMatch(/\d{6}/);
  });

  it("lists the pool's password rules", () => {
    const html = policyList(selfServiceEn, {
      MinLength: 9,
      RequireUppercase: true,
      RequireLowercase: false,
      RequireDigits: true,
      RequireSymbols: false,
    }).value;
    expect(html).toContain("at least 9 characters");
    expect(html).toContain("an upper-case letter");
    expect(html).toContain("a digit");
    expect(html).not.toContain("a symbol");
  });

  it("shows a queued code mail's text in `mail list`, and no body once sent", () => {
    const row = {
      id: "7",
      account_id: "1",
      user_pool_uid: "p",
      kind: "sign_in_code",
      recipient: "a@example.com",
      subject: "s",
      body_text: "Hello,\n\n    123456\n",
      body_html: "<p>123456</p>",
      link: "",
      status: "queued",
      attempts: 0,
      next_attempt_at: new Date(0),
      last_error: null,
      created_at: new Date(0),
      sent_at: null,
    } as unknown as OutboxRow;
    expect(formatOutbox([row])).toContain("  |     123456");
    expect(formatOutbox([{ ...row, status: "sent", body_text: null, body_html: null }])).not.toContain("123456");
  });
});
