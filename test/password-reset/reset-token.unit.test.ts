// The reset token's pure parts: only its SHA-256 is stored, and the link and mail that carry it.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { resetEmail, resetLink } from "../../src/password-reset/message.js";
import { hashToken } from "../../src/password-reset/service.js";

describe("hashToken", () => {
  it("is the SHA-256 of the token's UTF-8 bytes", () => {
    expect(Buffer.from(hashToken("abc")).toString("hex")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(Buffer.from(hashToken("é")).equals(createHash("sha256").update(Buffer.from("é", "utf8")).digest())).toBe(true);
  });
});

describe("resetLink", () => {
  it("adds the token to the pool's URL, keeping its own query and replacing a token it had", () => {
    expect(resetLink("https://app.example/reset", "t0k-_")).toBe("https://app.example/reset?token=t0k-_");
    expect(resetLink("https://app.example/reset?lang=de#top", "abc")).toBe("https://app.example/reset?lang=de&token=abc#top");
    expect(resetLink("https://app.example/reset?token=old", "new")).toBe("https://app.example/reset?token=new");
  });
});

describe("resetEmail", () => {
  it("carries the link and its expiry in plain text", () => {
    const mail = resetEmail("Pool One", "https://app.example/reset?token=abc", new Date(Date.UTC(2025, 9, 30, 9, 0, 0, 500)));
    expect(mail.subject).toBe("Reset your password");
    expect(mail.bodyText).toBe(
      [
        "Hello,",
        "",
        'someone asked to reset the password of your account in "Pool One".',
        "To choose a new password, open this link:",
        "",
        "https://app.example/reset?token=abc",
        "",
        "The link works once and expires at 2025-10-30T09:00:00Z.",
        "If you did not ask for this, ignore this email: your password stays as it is.",
        "",
      ].join("\n"),
    );
  });
});
