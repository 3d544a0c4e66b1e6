import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEnv } from "~/env.server";
import { listCapturedMail } from "~/modules/mail/mailbox.server";
import { createMailTransport, sendMail } from "~/modules/mail/transport.server";
import { startChildServer, startTestServer } from "../support/web";

/**
 * /dev/mail shows every message the local catcher received, confirmation and unsubscribe links
 * included: anyone who can read it can confirm, unsubscribe or manage other people's subscriptions.
 */
describe("the local mailbox at /dev/mail", () => {
  let local: Awaited<ReturnType<typeof startTestServer>>;
  const subject = `Confirm your subscription ${crypto.randomUUID()}`;
  const token = crypto.randomBytes(16).toString("hex");
  let id: string;

  beforeAll(async () => {
    local = await startTestServer();
    const env = getEnv();
    const transport = createMailTransport(env.mail.smtpUrl);
    try {
      await sendMail(transport, env.mail.from, { to: "reader@example.com", subject, text: `Confirm: ${env.publicUrl}/subscriptions/confirm?token=${token}` });
    } finally {
      transport.close();
    }
    id = (await listCapturedMail(env.mailboxDir)).find((message) => message.subject === subject)!.id;
  });
  afterAll(() => local?.stop());

  it("is served on the local stack: mail goes to the local catcher and the press is on a loopback address only", async () => {
    const inbox = await fetch(`${local.url}/dev/mail`);
    expect(inbox.status).toBe(200);
    expect(await inbox.text()).toContain(subject);
    const message = await fetch(`${local.url}/dev/mail/${id}`);
    expect(message.status).toBe(200);
    expect(await message.text()).toContain(token);
  });

  for (const [reason, settings, headers] of [
    // Reached through its proxy, which names the host it was asked for.
    ["the press is reached on a public address", () => ({ PUBLIC_URL: "https://press.example", SESSION_SECRET: "s".repeat(40), PLATFORM_PRIVATE_KEY: `0x${"ab".repeat(32)}` }), { "x-forwarded-host": "press.example" }],
    // The relay here is the very catcher that holds the message: only the setting differs.
    ["mail goes to an SMTP relay, even on a loopback address", () => ({ SMTP_URL: getEnv().mail.smtpUrl }), {}],
    // A loopback PUBLIC_URL is only what links say: listening on every interface lets the network in.
    ["the press listens on every interface", () => ({ HOST: "0.0.0.0" }), {}],
  ] as const) {
    it(`answers 404 and shows no captured mail when ${reason}`, async () => {
      const server = await startChildServer(settings());
      try {
        for (const path of ["/dev/mail", `/dev/mail/${id}`]) {
          const response = await fetch(`${server.url}${path}`, { headers });
          expect(response.status, path).toBe(404);
          const page = await response.text();
          expect(page, path).not.toContain(subject);
          expect(page, path).not.toContain(token);
        }
      } finally {
        await server.stop();
      }
    });
  }
});
