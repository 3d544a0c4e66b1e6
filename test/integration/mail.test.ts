import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { getEnv } from "~/env.server";
import { listCapturedMail } from "~/modules/mail/mailbox.server";
import { createMailTransport, sendMail } from "~/modules/mail/transport.server";

describe("mail over SMTP", () => {
  it("delivers a message that arrives whole in the local mailbox", async () => {
    const env = getEnv();
    const transport = createMailTransport(env.mail.smtpUrl);
    const subject = `Confirm your subscription ${crypto.randomUUID()}`;
    try {
      await sendMail(transport, env.mail.from, {
        to: "reader@example.com",
        subject,
        text: "Follow this link to confirm: http://127.0.0.1/confirm?token=abc",
        html: "<p>Follow <a href=\"http://127.0.0.1/confirm?token=abc\">this link</a> to confirm.</p>",
      });
    } finally {
      transport.close();
    }
    const message = (await listCapturedMail(env.mailboxDir)).find((m) => m.subject === subject);
    expect(message).toMatchObject({ to: "reader@example.com", from: '"Permanent Press" <press@localhost>' });
    expect(message!.text).toContain("http://127.0.0.1/confirm?token=abc");
    expect(message!.html).toContain('<a href="http://127.0.0.1/confirm?token=abc">');
  });
});
