// SMTP delivery through nodemailer. SMTP_URL (smtp://user:pass@host:port, or smtps://) holds a
// password: it is handed to nodemailer and never logged, and errors are reduced to their message.
// The recipient goes to nodemailer as an address object, never as header text: nodemailer parses a
// string as an address list ("a, b", "x <b>"), and a stored value must name exactly one mailbox.
import { createTransport } from "nodemailer";

export interface OutgoingMail {
  /** One plain addr-spec (src/core/email.ts), used as is for RCPT TO and the To header. */
  to: string;
  subject: string;
  text: string;
  /** An HTML alternative of `text`. */
  html?: string;
}

export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export function smtpTransport(smtpUrl: string, from: string): MailTransport {
  // Timeouts well inside the worker's 120 s claim lease, so a stuck server cannot make a second
  // worker claim (and send) the same message while the first is still waiting.
  const transporter = createTransport({ url: smtpUrl, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 });
  return {
    async send(mail) {
      await transporter.sendMail({
        from,
        to: { name: "", address: mail.to },
        subject: mail.subject,
        text: mail.text,
        ...(mail.html && { html: mail.html }),
      });
    },
    close: () => transporter.close(),
  };
}
