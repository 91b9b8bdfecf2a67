// The password reset email: its link (the pool's ResetPasswordUrl with `token=` added to whatever
// query it already has) and its plain-text body.
import { formatTime } from "../core/time.js";

export function resetLink(resetPasswordUrl: string, token: string): string {
  const url = new URL(resetPasswordUrl);
  url.searchParams.set("token", token);
  return url.toString();
}

export function resetEmail(poolName: string, link: string, expiresAt: Date): { subject: string; bodyText: string } {
  return {
    subject: "Reset your password",
    bodyText: [
      "Hello,",
      "",
      `someone asked to reset the password of your account in "${poolName}".`,
      "To choose a new password, open this link:",
      "",
      link,
      "",
      `The link works once and expires at ${formatTime(expiresAt)}.`,
      "If you did not ask for this, ignore this email: your password stays as it is.",
      "",
    ].join("\n"),
  };
}
