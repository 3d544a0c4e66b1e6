import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getEnv } from "~/env.server";
import { readCapturedMail } from "~/modules/mail/mailbox.server";
import type { PageHandle } from "~/components/page-scripts";

/** A page of plain HTML that loads no client code; the message's own HTML, styled inline, is shown in a sandboxed frame. */
export const handle: PageHandle = { scripts: false, inlineStyles: true };

export async function loader({ params }: LoaderFunctionArgs) {
  const env = getEnv();
  if (!env.devMailbox) throw new Response("Not found", { status: 404 });
  const message = await readCapturedMail(env.mailboxDir, params.id ?? "");
  if (!message) throw new Response("No such message", { status: 404 });
  return { ...message, receivedAt: message.receivedAt.toISOString() };
}

export default function DevMailMessage() {
  const message = useLoaderData<typeof loader>();
  return (
    <article>
      <p>
        <a href="/dev/mail">← Local mailbox</a>
      </p>
      <h1>{message.subject}</h1>
      <table>
        <tbody>
          <tr>
            <th>From</th>
            <td>{message.from}</td>
          </tr>
          <tr>
            <th>To</th>
            <td>{message.to}</td>
          </tr>
          <tr>
            <th>Received</th>
            <td>{message.receivedAt}</td>
          </tr>
        </tbody>
      </table>
      {message.html ? <iframe className="mail-html" title="HTML body" sandbox="" srcDoc={message.html} /> : null}
      <h2>Plain text</h2>
      <pre>{message.text}</pre>
    </article>
  );
}
