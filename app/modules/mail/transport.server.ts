import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
}

/** An SMTP transport for a `smtp://` or `smtps://` URL (credentials in the URL, as relays give them). */
export function createMailTransport(smtpUrl: string) {
  return nodemailer.createTransport(smtpUrl, { connectionTimeout: 10_000, greetingTimeout: 10_000 } as SMTPTransport.Options);
}

export type MailTransport = ReturnType<typeof createMailTransport>;

/** Sends one message; resolves with the Message-ID the relay accepted. */
export async function sendMail(transport: MailTransport, from: string, mail: OutgoingMail): Promise<string> {
  const info = await transport.sendMail({ from, ...mail });
  return info.messageId;
}
