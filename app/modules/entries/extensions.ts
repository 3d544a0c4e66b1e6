/**
 * The essay schema, shared by the browser editor and the server. Whatever these extensions do not
 * declare cannot exist in a stored document: the server validates documents against the schema
 * built from this list, and attribute validators here enforce the URL and language policies
 * everywhere a node is created (editor, server, Markdown import).
 *
 * Also here, because both sides need them: the Markdown reader used for import and paste, and the
 * plain-text/word-count helpers behind the live word count and the server's excerpts.
 */
import { type Extensions, type JSONContent, decodeHtmlEntities } from "@tiptap/core";
import { CodeBlock } from "@tiptap/extension-code-block";
import { Code } from "@tiptap/extension-code";
import { Heading } from "@tiptap/extension-heading";
import Image from "@tiptap/extension-image";
import { Link } from "@tiptap/extension-link";
import { OrderedList } from "@tiptap/extension-list";
import Placeholder from "@tiptap/extension-placeholder";
import StarterKit from "@tiptap/starter-kit";
import { Lexer, type MarkedToken, type Token, type Tokens } from "marked";
import { IMAGE_PATH_PREFIX } from "~/modules/storage/image-path";

export type TiptapDocument = { type: "doc"; content?: JSONContent[] };

/** Nodes nested deeper than this are refused (a list in a list counts two: list and item). */
export const MAX_NESTING = 40;
export const HEADING_LEVELS = [2, 3, 4] as const;
export const CODE_LANGUAGE = /^[a-z0-9+#-]{1,32}$/i;
const MAX_URL_LENGTH = 2048;
export const MAX_LABEL_LENGTH = 1000;
/** An Arweave transaction or data item id: 32 bytes in base64url, 43 characters. */
export const ARWEAVE_ID = "[A-Za-z0-9_-]{43}";
const ARWEAVE_IMAGE = new RegExp(`^ar://${ARWEAVE_ID}$`);
const ARWEAVE_LINK = new RegExp(`^ar://${ARWEAVE_ID}(?:[/?#]\\S*)?$`);
// Whitespace and control characters have no place in a URL; browsers strip some of them
// (`java\tscript:`), which is how scheme filters are usually slipped past. Quotes and angle
// brackets must be percent-encoded in URLs; refusing them keeps rendered attributes plain.
const UNSAFE_URL_CHARACTER = /[\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff<>"`]/u;

/** A value the schema does not allow. Thrown by attribute validators; the message is for people. */
export class SchemaViolation extends RangeError {
  override name = "SchemaViolation";
}

/** Shows an offending value in a message without letting a huge one flood it. */
export function describeValue(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isWebUrl(url: string, protocols: string[]): boolean {
  try {
    const parsed = new URL(url);
    return protocols.includes(parsed.protocol) && parsed.hostname !== "";
  } catch {
    return false;
  }
}

function urlShapeProblem(value: unknown, what: string): string | undefined {
  if (typeof value !== "string" || value === "") return `${what} need an address.`;
  if (value.length > MAX_URL_LENGTH) return `${what} can be at most ${MAX_URL_LENGTH} characters long.`;
  if (UNSAFE_URL_CHARACTER.test(value)) return `${what} cannot contain spaces, quotes, angle brackets or control characters: ${describeValue(value)}`;
  return undefined;
}

/** Why a link address is refused, or undefined when it is allowed. */
export function linkHrefProblem(href: unknown): string | undefined {
  const shape = urlShapeProblem(href, "Links");
  if (shape) return shape;
  const url = href as string;
  if (/^mailto:./i.test(url) || ARWEAVE_LINK.test(url)) return undefined;
  if (/^https?:\/\//i.test(url) && isWebUrl(url, ["http:", "https:"])) return undefined;
  return `Links may only point to http(s), mailto or ar addresses: ${describeValue(url)}`;
}

/** Why an image source is refused, or undefined when it is allowed. */
export function imageSrcProblem(src: unknown): string | undefined {
  const shape = urlShapeProblem(src, "Images");
  if (shape) return shape;
  const url = src as string;
  if (ARWEAVE_IMAGE.test(url)) return undefined;
  if (/^https:\/\//i.test(url) && isWebUrl(url, ["https:"])) return undefined;
  return `Images must be stored on Arweave (ar://<id>) or served over https: ${describeValue(url)}`;
}

export function codeLanguageProblem(language: unknown): string | undefined {
  if (language === null || (typeof language === "string" && CODE_LANGUAGE.test(language))) return undefined;
  return `Code block languages may only use letters, digits, +, # and - (at most 32): ${describeValue(language)}`;
}

/** Markdown (CommonMark) numbers lists with at most nine digits. */
function listStartProblem(start: unknown): string | undefined {
  if (Number.isInteger(start) && (start as number) >= 0 && (start as number) <= 999_999_999) return undefined;
  return `A numbered list must start at a whole number from 0 to 999999999, not ${describeValue(start)}.`;
}

function labelProblem(value: unknown, what: string): string | undefined {
  if (value === null) return undefined;
  if (typeof value !== "string") return `${what} must be text, not ${describeValue(value)}.`;
  if (value.length > MAX_LABEL_LENGTH) return `${what} can be at most ${MAX_LABEL_LENGTH} characters long.`;
  return undefined;
}

function enforce(problem: (value: unknown) => string | undefined) {
  return (value: unknown) => {
    const message = problem(value);
    if (message) throw new SchemaViolation(message);
  };
}

/** The gateway URL without trailing slashes, to put `/<id>` after. */
export function gatewayBase(gatewayUrl: string): string {
  return gatewayUrl.replace(/\/+$/, "");
}

/** `ar://<id>[/path]` as a URL on the given gateway; any other URL unchanged. */
export function resolveArweaveUrl(url: string, gatewayUrl: string): string {
  return /^ar:\/\//.test(url) ? `${gatewayBase(gatewayUrl)}/${url.slice("ar://".length)}` : url;
}

/** The inverse of resolveArweaveUrl, so content copied out of the editor pastes back portable. */
function toArweaveRef(url: string | null, gatewayUrl: string): string | null {
  const prefix = `${gatewayBase(gatewayUrl)}/`;
  if (!url?.startsWith(prefix)) return url;
  const rest = url.slice(prefix.length);
  return new RegExp(`^${ARWEAVE_ID}(?:[/?#]|$)`).test(rest) ? `ar://${rest}` : url;
}

/** An image the press serves itself (`/uploads/images/<id>`) as the `ar://` reference it stands for. */
function fromPressImage(src: string | null): string | null {
  const id = src?.startsWith(IMAGE_PATH_PREFIX) ? src.slice(IMAGE_PATH_PREFIX.length) : undefined;
  return id !== undefined && new RegExp(`^${ARWEAVE_ID}$`).test(id) ? `ar://${id}` : src;
}

/** The Arweave ids of the `ar://` images in a document, in order, each once. */
export function arweaveImageIds(doc: JSONContent): string[] {
  const ids = new Set<string>();
  const visit = (node: JSONContent) => {
    const src = node.type === "image" ? node.attrs?.src : undefined;
    if (typeof src === "string" && ARWEAVE_IMAGE.test(src)) ids.add(src.slice("ar://".length));
    node.content?.forEach(visit);
  };
  visit(doc);
  return [...ids];
}

/**
 * The editor's extensions, which define the document schema. `gatewayUrl` only changes how
 * `ar://` references are displayed, never what is stored; so does `imagePreview`, which may name
 * another address for an image the gateway does not serve yet (the press's own copy).
 */
export function editorExtensions(opts: { gatewayUrl: string; placeholder?: string; imagePreview?: (arweaveId: string) => string | undefined }): Extensions {
  const { gatewayUrl } = opts;
  const imageRef = (src: string | null) => toArweaveRef(fromPressImage(src), gatewayUrl);
  const imageUrl = (src: string) => (ARWEAVE_IMAGE.test(src) ? opts.imagePreview?.(src.slice("ar://".length)) : undefined) ?? resolveArweaveUrl(src, gatewayUrl);
  const extensions: Extensions = [
    StarterKit.configure({ heading: false, link: false, codeBlock: false, code: false, orderedList: false, underline: false }),
    Heading.extend({
      addAttributes() {
        return {
          level: {
            default: 2,
            rendered: false,
            validate: enforce((level) => ((HEADING_LEVELS as readonly unknown[]).includes(level) ? undefined : `Headings can be level 2, 3 or 4, not ${describeValue(level)}.`)),
          },
        };
      },
      parseHTML() {
        // The title is the page's only h1; pasted h1s become h2s and h5/h6 become h4s.
        return [1, 2, 3, 4, 5, 6].map((level) => ({ tag: `h${level}`, attrs: { level: Math.min(Math.max(level, 2), 4) } }));
      },
    }).configure({ levels: [...HEADING_LEVELS] }),
    // Inline code may be linked or emphasised (`[`fn`](…)` is common in essays about code).
    Code.extend({ excludes: "" }),
    CodeBlock.extend({
      addAttributes() {
        return {
          language: {
            default: null,
            rendered: false,
            validate: enforce(codeLanguageProblem),
            parseHTML: (element: HTMLElement) => {
              const className = [...(element.firstElementChild?.classList ?? [])].find((name) => name.startsWith("language-"));
              const language = className?.slice("language-".length) ?? null;
              return codeLanguageProblem(language) ? null : language;
            },
          },
        };
      },
    }),
    OrderedList.extend({
      addAttributes() {
        return {
          start: {
            default: 1,
            validate: enforce(listStartProblem),
            parseHTML: (element: HTMLElement) => {
              const start = Number.parseInt(element.getAttribute("start") ?? "1", 10);
              return listStartProblem(start) ? 1 : start;
            },
          },
        };
      },
    }),
    Link.extend({
      addAttributes() {
        return {
          href: {
            default: null,
            validate: enforce(linkHrefProblem),
            parseHTML: (element: HTMLElement) => toArweaveRef(element.getAttribute("href"), gatewayUrl),
            renderHTML: (attrs: Record<string, unknown>) => ({ href: resolveArweaveUrl(attrs.href as string, gatewayUrl) }),
          },
          title: { default: null, validate: enforce((title) => labelProblem(title, "Link titles")) },
        };
      },
    }).configure({
      openOnClick: false,
      autolink: true,
      linkOnPaste: true,
      defaultProtocol: "https",
      isAllowedUri: (url) => !linkHrefProblem(url),
      HTMLAttributes: { rel: "noopener noreferrer nofollow", target: null, class: null },
    }),
    Image.extend({
      addAttributes() {
        return {
          src: {
            default: null,
            validate: enforce(imageSrcProblem),
            parseHTML: (element: HTMLElement) => imageRef(element.getAttribute("src")),
            renderHTML: (attrs: Record<string, unknown>) => ({ src: imageUrl(attrs.src as string) }),
          },
          alt: { default: null, validate: enforce((alt) => labelProblem(alt, "Image descriptions")), renderHTML: (attrs: Record<string, unknown>) => ({ alt: attrs.alt ?? "" }) },
          title: { default: null, validate: enforce((title) => labelProblem(title, "Image titles")) },
        };
      },
      parseHTML() {
        // A pasted image whose source the schema refuses is left out instead of failing the paste.
        return [{ tag: "img[src]", getAttrs: (element: HTMLElement) => (imageSrcProblem(imageRef(element.getAttribute("src"))) ? false : null) }];
      },
    }).configure({ HTMLAttributes: { loading: "lazy", decoding: "async" } }),
  ];
  if (opts.placeholder) extensions.push(Placeholder.configure({ placeholder: opts.placeholder }));
  return extensions;
}

// ---------------------------------------------------------------------------------------------
// Markdown reading. marked's lexer finds the structure; the mapping below decides what each
// construct becomes. Whatever the schema cannot express (raw HTML, tables, task boxes) is kept as
// literal text, never interpreted. Link and image addresses are kept as written, so the schema's
// validators refuse the unsafe ones instead of them disappearing silently.
// ---------------------------------------------------------------------------------------------

type JSONMark = NonNullable<JSONContent["marks"]>[number];

/** Markdown to unvalidated document JSON; validate it against the schema before using it. */
export function markdownToJSON(markdown: string): TiptapDocument {
  const tokens = Lexer.lex(markdown.replace(/\r\n?/g, "\n"), { gfm: true });
  const content = blocksFromTokens(tokens, 1);
  return { type: "doc", content: content.length > 0 ? content : [{ type: "paragraph" }] };
}

function tooDeep(): SchemaViolation {
  return new SchemaViolation(`The document is nested too deeply (more than ${MAX_NESTING} levels).`);
}

function blocksFromTokens(tokens: Token[], depth: number): JSONContent[] {
  if (depth > MAX_NESTING) throw tooDeep();
  return tokens.flatMap((token) => blockFromToken(token as MarkedToken, depth));
}

function blockFromToken(token: MarkedToken, depth: number): JSONContent[] {
  switch (token.type) {
    case "space":
    case "def":
    case "checkbox":
      return [];
    case "paragraph":
      return textblock({ type: "paragraph" }, inlineFromTokens(token.tokens, []));
    case "text":
      return textblock({ type: "paragraph" }, token.tokens ? inlineFromTokens(token.tokens, []) : plainText(decodeHtmlEntities(token.text), []));
    case "heading":
      return textblock({ type: "heading", attrs: { level: Math.min(Math.max(token.depth, 2), 4) } }, inlineFromTokens(token.tokens, []));
    case "code": {
      const language = token.codeBlockStyle === "indented" ? null : (token.lang?.trim().split(/\s+/)[0] ?? "") || null;
      return [{ type: "codeBlock", attrs: { language }, ...(token.text ? { content: [{ type: "text", text: token.text }] } : {}) }];
    }
    case "hr":
      return [{ type: "horizontalRule" }];
    case "blockquote": {
      const content = blocksFromTokens(token.tokens, depth + 1);
      return [{ type: "blockquote", content: content.length > 0 ? content : [{ type: "paragraph" }] }];
    }
    case "list":
      return [listFromToken(token, depth)];
    default:
      return literalParagraph(token.raw);
  }
}

function listFromToken(token: Tokens.List, depth: number): JSONContent {
  if (depth + 1 > MAX_NESTING) throw tooDeep();
  const items = token.items.map((item): JSONContent => {
    const content = blocksFromTokens(item.tokens, depth + 2);
    if (content[0]?.type !== "paragraph") content.unshift({ type: "paragraph" });
    if (item.task) {
      const first = content[0]!;
      first.content = [...plainText(item.checked ? "[x] " : "[ ] ", []), ...(first.content ?? [])];
    }
    return { type: "listItem", content };
  });
  return token.ordered ? { type: "orderedList", attrs: { start: typeof token.start === "number" ? token.start : 1 }, content: items } : { type: "bulletList", content: items };
}

/** A textblock holding `inline`, with images lifted out: they are blocks in this schema. */
function textblock(block: JSONContent, inline: JSONContent[]): JSONContent[] {
  if (!inline.some((node) => node.type === "image")) return [inline.length > 0 ? { ...block, content: inline } : block];
  const blocks: JSONContent[] = [];
  let run: JSONContent[] = [];
  // The spaces that separated an image from its text belonged to neither.
  const flush = () => {
    const first = run[0];
    const last = run.at(-1);
    if (first?.text) first.text = first.text.trimStart();
    if (last?.text) last.text = last.text.trimEnd();
    run = run.filter((node) => node.type !== "text" || node.text !== "");
    if (run.length > 0) blocks.push({ ...block, content: run });
    run = [];
  };
  for (const node of inline) {
    if (node.type === "image") {
      flush();
      blocks.push(node);
    } else {
      run.push(node);
    }
  }
  flush();
  return blocks;
}

function literalParagraph(raw: string): JSONContent[] {
  const lines = raw.split("\n").filter((line) => line.trim() !== "");
  if (lines.length === 0) return [];
  const content = lines.flatMap((line, index) => [...(index > 0 ? [{ type: "hardBreak" }] : []), ...plainText(line, [])]);
  return [{ type: "paragraph", content }];
}

function plainText(text: string, marks: JSONMark[]): JSONContent[] {
  if (text === "") return [];
  return [marks.length > 0 ? { type: "text", text, marks } : { type: "text", text }];
}

/** Adds a mark unless one of its type is already there (`**a **b** c**` is bold once). */
function withMark(marks: JSONMark[], mark: JSONMark): JSONMark[] {
  return marks.some((existing) => existing.type === mark.type) ? marks : [...marks, mark];
}

function inlineFromTokens(tokens: Token[], marks: JSONMark[]): JSONContent[] {
  return tokens.flatMap((generic): JSONContent[] => {
    const token = generic as MarkedToken;
    switch (token.type) {
      case "text":
        return "tokens" in token && token.tokens ? inlineFromTokens(token.tokens, marks) : plainText(decodeHtmlEntities(token.text), marks);
      case "escape":
        return plainText(token.text, marks);
      case "strong":
        return inlineFromTokens(token.tokens, withMark(marks, { type: "bold" }));
      case "em":
        return inlineFromTokens(token.tokens, withMark(marks, { type: "italic" }));
      case "del":
        return inlineFromTokens(token.tokens, withMark(marks, { type: "strike" }));
      case "codespan":
        return plainText(token.text, withMark(marks, { type: "code" }));
      case "br":
        return [{ type: "hardBreak" }];
      case "link":
        return inlineFromTokens(token.tokens, withMark(marks, { type: "link", attrs: { href: token.href, title: token.title || null } }));
      case "image":
        return [{ type: "image", attrs: { src: token.href, alt: altText(token.tokens) || null, title: token.title || null } }];
      default:
        return plainText(token.raw, marks);
    }
  });
}

function altText(tokens: Token[]): string {
  return inlineFromTokens(tokens, [])
    .map((node) => node.text ?? (node.type === "image" ? node.attrs?.alt ?? "" : " "))
    .join("");
}

// ---------------------------------------------------------------------------------------------
// Plain text and reading time.
// ---------------------------------------------------------------------------------------------

const WORDS_PER_MINUTE = 238;

/** The document's prose: textblocks separated by blank lines, hard breaks as newlines. Images are left out. */
export function documentText(doc: TiptapDocument): string {
  const blocks: string[] = [];
  const visit = (node: JSONContent) => {
    if (node.type === "paragraph" || node.type === "heading" || node.type === "codeBlock") {
      blocks.push((node.content ?? []).map((child) => (child.type === "hardBreak" ? "\n" : child.text ?? "")).join(""));
    } else {
      node.content?.forEach(visit);
    }
  };
  visit(doc);
  return blocks.filter((text) => text.trim() !== "").join("\n\n");
}

export function documentStats(doc: TiptapDocument): { words: number; readingMinutes: number } {
  const words = documentText(doc)
    .split(/\s+/)
    .filter((token) => /[\p{L}\p{N}]/u.test(token)).length;
  return { words, readingMinutes: words === 0 ? 0 : Math.max(1, Math.round(words / WORDS_PER_MINUTE)) };
}
