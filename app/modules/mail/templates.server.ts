import addressparser from "nodemailer/lib/addressparser";
import type Mail from "nodemailer/lib/mailer";
import * as qp from "nodemailer/lib/qp";
import type { Env } from "~/env.server";

/** A message before it is addressed: what OutgoingMail stores. */
export interface MailContent {
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

/**
 * A value fit for a header: no line break or other control character survives. nodemailer also
 * folds and encodes header values; this keeps writers' names and titles from ever being the input
 * that tests that.
 */
export const oneLine = (value: string) => value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ").replace(/\s+/g, " ").trim();

export const escapeHtml = (value: string) => value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The From of every message: the platform's address, named for the writer when there is one. */
export function sender(env: Env, writerName?: string): { name: string; address: string } {
  const [parsed] = addressparser(env.mail.from, { flatten: true });
  const site = oneLine(parsed?.name || "Permanent Press");
  return { name: writerName ? `${oneLine(writerName)} via ${site}` : site, address: parsed?.address ?? env.mail.from };
}

/** RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to this URL, no cookies, no page. */
export function unsubscribeHeaders(unsubscribeUrl: string): Record<string, string> {
  return { "List-Unsubscribe": `<${unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
}

const PAGE_START =
  '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>' +
  '<body style="margin:0;padding:0;background:#fffefb;color:#1d1d1f">' +
  '<div style="max-width:36rem;margin:0 auto;padding:1.5rem 1rem;font-family:Georgia,Cambria,serif;font-size:17px;line-height:1.6">';
const PAGE_END = "</div></body></html>";
const FOOTER_STYLE = "border-top:1px solid #e5e5ea;margin-top:2rem;padding-top:1rem;font-family:system-ui,sans-serif;font-size:13px;color:#6e6e73";

const link = (url: string, text: string, style = "color:#3b4ad8") => `<a href="${escapeHtml(url)}" style="${style}">${escapeHtml(text)}</a>`;

function page(body: string, footer: string): string {
  return `${PAGE_START}${body}<div style="${FOOTER_STYLE}">${footer}</div>${PAGE_END}`;
}

/**
 * What a list is to its readers: a writer's own essays, or a publication's, written by several
 * writers under its name. `publication` is set for a publication's list.
 */
export interface ListName {
  writerName: string;
  publication?: boolean;
}

const essaysOf = (name: string, publication?: boolean) => (publication ? `the essays published in ${name}` : `${name}'s essays`);

export function confirmationMail(p: ListName & { confirmUrl: string; unsubscribeUrl: string }): MailContent {
  const name = oneLine(p.writerName);
  return {
    subject: `Confirm your subscription to ${name}`,
    text:
      `Someone, hopefully you, asked to get ${essaysOf(name, p.publication)} by email.\n\n` +
      `Confirm your subscription:\n${p.confirmUrl}\n\n` +
      `The link works for three days. If you did not ask for this, ignore this message: nothing will be sent to you.\n\n` +
      `Never email me about ${name} again: ${p.unsubscribeUrl}\n`,
    html: page(
      `<p>Someone, hopefully you, asked to get ${escapeHtml(essaysOf(name, p.publication))} by email.</p>` +
        `<p><a href="${escapeHtml(p.confirmUrl)}" style="display:inline-block;padding:0.6rem 1rem;background:#1d1d1f;color:#fffefb;text-decoration:none;border-radius:6px">Confirm your subscription</a></p>` +
        `<p>The link works for three days. If you did not ask for this, ignore this message: nothing will be sent to you.</p>`,
      link(p.unsubscribeUrl, `Never email me about ${name} again`),
    ),
    headers: unsubscribeHeaders(p.unsubscribeUrl),
  };
}

export function welcomeMail(p: ListName & { writerUrl: string; unsubscribeUrl: string; preferencesUrl: string }): MailContent {
  const name = oneLine(p.writerName);
  const every = p.publication ? `every new essay published in ${name}, by any of its writers,` : `every new essay ${name} publishes`;
  return {
    subject: `You're subscribed to ${name}`,
    text:
      `Welcome. From now on, ${every} arrives here, whole.\n\n` +
      `Read what is already there: ${p.writerUrl}\n\n` +
      `Unsubscribe: ${p.unsubscribeUrl}\nPreferences: ${p.preferencesUrl}\n`,
    html: page(
      `<p>Welcome. From now on, ${escapeHtml(every)} arrives here, whole.</p>` + `<p>${link(p.writerUrl, "Read what is already there")}</p>`,
      `${link(p.unsubscribeUrl, "Unsubscribe")} · ${link(p.preferencesUrl, "Preferences")}`,
    ),
    headers: unsubscribeHeaders(p.unsubscribeUrl),
  };
}

export interface RecipientLinks {
  unsubscribeUrl: string;
  preferencesUrl: string;
}

/** A pre-built MIME node (headers and encoded body), which nodemailer sends as is; its type definitions omit `raw`. */
type RawPart = Mail.AttachmentLike & { raw: string };

/** The two MIME parts of a newsletter, plus its headers. */
export interface PersonalizedParts {
  text: RawPart;
  html: RawPart;
  headers: Record<string, string>;
}

export interface NewsletterTemplate {
  subject: string;
  forRecipient(links: RecipientLinks): PersonalizedParts;
}

// Quoted-printable of a text ending in a line break ends in a line break, so an encoded prefix
// and an encoded suffix concatenate into one valid body: the essay is encoded once per newsletter
// and only each recipient's links are encoded per message.
const encodeLines = (text: string) => qp.wrap(qp.encode(text.replace(/\r?\n/g, "\r\n")), 76);
const partHeader = (type: string) => `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n`;

/**
 * An entry's newsletter: the essay itself (the version's HTML, and its Markdown for the plain-text
 * part), a link to its page and, when it has an edition on offer, to collect it, and each recipient's unsubscribe and preferences
 * links. The essay is encoded once; a recipient costs the encoding of a few lines. `writerName` is
 * the list the reader subscribed to; an entry in a publication also names its author (`authorName`).
 */
export function newsletterTemplate(
  p: ListName & { authorName?: string; title: string; essayHtml: string; essayMarkdown: string; entryUrl: string; collectUrl?: string; collectTerms?: string },
): NewsletterTemplate {
  const offer = p.collectTerms ? ` (${oneLine(p.collectTerms)})` : "";
  const name = oneLine(p.writerName);
  const author = oneLine(p.authorName ?? p.writerName);
  const title = oneLine(p.title);
  const byline = p.publication ? `by ${author}, in ${name}` : `by ${author}`;
  const textPrefix = partHeader("text/plain") + encodeLines(`${title}\n${byline}\n\n${p.essayMarkdown.trimEnd()}\n\n---\nRead it on the web: ${p.entryUrl}\n${p.collectUrl ? `Collect it${offer}: ${p.collectUrl}\n` : ""}\n`);
  const htmlPrefix =
    partHeader("text/html") +
    encodeLines(
      `${PAGE_START}<p style="font-family:system-ui,sans-serif;font-size:13px;color:#6e6e73">${escapeHtml(name)}</p>` +
        `<h1 style="font-size:28px;line-height:1.25;margin:0 0 1rem">${link(p.entryUrl, title, "color:inherit;text-decoration:none")}</h1>\n` +
        (p.publication ? `<p style="font-family:system-ui,sans-serif;font-size:15px;margin:0 0 1.5rem">by ${escapeHtml(author)}</p>\n` : "") +
        `${p.essayHtml}\n` +
        `<p style="margin-top:2rem">${link(p.entryUrl, "Read it on the web")}${p.collectUrl ? ` · ${link(p.collectUrl, "Collect it")}${escapeHtml(offer)}` : ""}</p>\n`,
    );
  return {
    subject: title,
    forRecipient({ unsubscribeUrl, preferencesUrl }) {
      return {
        text: { raw: textPrefix + encodeLines(`You get this because you subscribed to ${name}.\nUnsubscribe: ${unsubscribeUrl}\nPreferences: ${preferencesUrl}\n`) },
        html: {
          raw:
            htmlPrefix +
            encodeLines(
              `<div style="${FOOTER_STYLE}">You get this because you subscribed to ${escapeHtml(name)}. ${link(unsubscribeUrl, "Unsubscribe")} · ${link(preferencesUrl, "Preferences")}</div>${PAGE_END}\n`,
            ),
        },
        headers: unsubscribeHeaders(unsubscribeUrl),
      };
    },
  };
}
