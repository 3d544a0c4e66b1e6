import { useLoaderData } from "@remix-run/react";
import { getEnv } from "~/env.server";
import { listCapturedMail } from "~/modules/mail/mailbox.server";
import type { PageHandle } from "~/components/page-scripts";

/**
 * The local mail catcher's inbox, a page of plain HTML that loads no client code. It exists only
 * while mail goes to the local catcher and the press is reached on a loopback address.
 */
export const handle: PageHandle = { scripts: false };

export async function loader() {
  const env = getEnv();
  if (!env.devMailbox) throw new Response("Not found", { status: 404 });
  const messages = await listCapturedMail(env.mailboxDir);
  return { messages: messages.map(({ id, receivedAt, to, subject }) => ({ id, receivedAt: receivedAt.toISOString(), to, subject })) };
}

export default function DevMailbox() {
  const { messages } = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>Local mailbox</h1>
      <p className="muted">Every message the platform sent while running locally. Nothing here left this machine.</p>
      {messages.length === 0 ? (
        <p>No messages yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Received</th>
              <th>To</th>
              <th>Subject</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((message) => (
              <tr key={message.id}>
                <td>{new Date(message.receivedAt).toLocaleString("en-GB", { timeZone: "UTC" })}</td>
                <td>{message.to}</td>
                <td>
                  <a href={`/dev/mail/${message.id}`}>{message.subject}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
