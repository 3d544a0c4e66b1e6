/**
 * Essay documents on the server: validation (the editor's schema is the sanitizer), HTML for
 * readers, and Markdown in and out. See docs/decisions/004-document-schema.md.
 */
import { MAX_DOCUMENT_BYTES } from "~/modules/body-limits";
import { getSchema, type JSONContent } from "@tiptap/core";
import { DOMSerializer, type Fragment, type Mark, type Node as ProseMirrorNode } from "@tiptap/pm/model";
import { UserError } from "~/modules/errors.server";
import { requirePublishable } from "~/modules/text.server";
import { MAX_NESTING, SchemaViolation, type TiptapDocument, describeValue, editorExtensions, markdownToJSON } from "./extensions";

export { type TiptapDocument, documentStats, documentText } from "./extensions";

/** A document the schema does not allow, or one too large to take. */
export class DocumentError extends UserError {
  constructor(message: string, status: 400 | 413 = 400) {
    super(message, status);
    this.name = "DocumentError";
  }
}

/** Far beyond any essay (2,000 formatted words are ~20 kB of JSON), far below what hurts the server. */

// The gateway only changes how `ar://` references are rendered, never what is valid, so one
// schema validates every document.
const schema = getSchema(editorExtensions({ gatewayUrl: "https://arweave.net" }));

const NAMES: Record<string, string> = {
  doc: "the document",
  paragraph: "a paragraph",
  heading: "a heading",
  blockquote: "a quote",
  bulletList: "a bullet list",
  orderedList: "a numbered list",
  listItem: "a list item",
  codeBlock: "a code block",
  horizontalRule: "a divider",
  image: "an image",
  hardBreak: "a line break",
  text: "text",
  link: "a link",
  bold: "bold text",
  italic: "italic text",
  strike: "struck-through text",
  code: "inline code",
};
function nameOf(type: string): string {
  return NAMES[type] ?? type;
}

const NODE_KEYS = new Set(["type", "attrs", "content", "marks", "text"]);
const MARK_KEYS = new Set(["type", "attrs"]);

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value} (${describeValue(value)})`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function checkSize(bytes: number, what: string): void {
  if (bytes > MAX_DOCUMENT_BYTES) {
    throw new DocumentError(`${what} is ${megabytes(bytes)}; a document can be at most ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB.`, 413);
  }
}

function checkAttributes(attrs: unknown, allowed: Record<string, unknown>, owner: string): void {
  if (attrs === undefined) return;
  if (!isPlainObject(attrs)) throw new DocumentError(`The attributes of ${owner} must be an object, not ${kindOf(attrs)}.`);
  for (const name of Object.keys(attrs)) {
    if (!Object.hasOwn(allowed, name)) throw new DocumentError(`Unsupported attribute ${describeValue(name)} on ${owner}.`);
  }
}

function checkMark(mark: unknown, owner: string): void {
  if (!isPlainObject(mark)) throw new DocumentError(`Every mark must be an object; ${owner} has ${kindOf(mark)}.`);
  const { type } = mark;
  if (typeof type !== "string" || !Object.hasOwn(schema.marks, type)) throw new DocumentError(`Unsupported formatting: ${describeValue(type)}.`);
  for (const key of Object.keys(mark)) {
    if (!MARK_KEYS.has(key)) throw new DocumentError(`Unsupported property ${describeValue(key)} on ${nameOf(type)}.`);
  }
  checkAttributes(mark.attrs, schema.marks[type]!.spec.attrs ?? {}, nameOf(type));
}

/**
 * Everything ProseMirror's `nodeFromJSON` would silently drop or trip over: unknown types,
 * attributes and properties, the root, and nesting (checked before any recursion goes deep).
 */
function checkNode(node: unknown, depth: number): void {
  if (depth > MAX_NESTING) throw new DocumentError(`The document is nested too deeply (more than ${MAX_NESTING} levels).`);
  if (!isPlainObject(node)) throw new DocumentError(`Every node must be an object, not ${kindOf(node)}.`);
  const { type } = node;
  if (typeof type !== "string") throw new DocumentError(`A node has no type (found ${kindOf(type)}).`);
  if (!Object.hasOwn(schema.nodes, type)) throw new DocumentError(`Unsupported element: ${describeValue(type)}.`);
  if (depth === 1 && type !== "doc") throw new DocumentError(`A document's root must be "doc", not ${describeValue(type)}.`);
  if (depth > 1 && type === "doc") throw new DocumentError("A document cannot contain another document.");
  const name = nameOf(type);
  for (const key of Object.keys(node)) {
    if (!NODE_KEYS.has(key)) throw new DocumentError(`Unsupported property ${describeValue(key)} on ${name}.`);
  }
  if (type === "text") {
    if (typeof node.text !== "string" || node.text === "") throw new DocumentError(`Text nodes need non-empty text, not ${kindOf(node.text)}.`);
    if (node.content !== undefined) throw new DocumentError("Text cannot contain other nodes.");
  } else if (node.text !== undefined) {
    throw new DocumentError(`Only text nodes carry text; ${name} cannot.`);
  }
  checkAttributes(node.attrs, schema.nodes[type]!.spec.attrs ?? {}, name);
  if (node.marks !== undefined) {
    if (!Array.isArray(node.marks)) throw new DocumentError(`The marks of ${name} must be a list, not ${kindOf(node.marks)}.`);
    for (const mark of node.marks) checkMark(mark, name);
  }
  if (node.content !== undefined) {
    if (!Array.isArray(node.content)) throw new DocumentError(`The content of ${name} must be a list, not ${kindOf(node.content)}.`);
    for (const child of node.content) checkNode(child, depth + 1);
  }
}

/** The document as a ProseMirror node that passed every rule of the schema. */
function toNode(json: unknown): ProseMirrorNode {
  checkNode(json, 1);
  try {
    const node = schema.nodeFromJSON(json);
    node.check();
    return node;
  } catch (error) {
    if (error instanceof SchemaViolation) throw new DocumentError(error.message);
    if (error instanceof RangeError) throw new DocumentError(`The document's structure is not allowed: ${describeValue(error.message)}`);
    throw error;
  }
}

/**
 * Validates a document (a JSON string or an already parsed value) against the editor's schema
 * and returns it normalized. Anything the schema does not allow is refused, not stripped.
 */
export function parseDocument(input: unknown): TiptapDocument {
  let json: unknown;
  if (typeof input === "string") {
    checkSize(Buffer.byteLength(input), "The document");
    try {
      json = JSON.parse(input);
    } catch (error) {
      throw new DocumentError(`The document is not valid JSON: ${(error as Error).message}`);
    }
  } else {
    let serialized: string | undefined;
    try {
      serialized = JSON.stringify(input);
    } catch {
      throw new DocumentError("The document cannot be written as JSON (it refers to itself or is nested too deeply).");
    }
    checkSize(serialized === undefined ? 0 : Buffer.byteLength(serialized), "The document");
    json = input;
  }
  if (!isPlainObject(json)) throw new DocumentError(`A document must be a JSON object, not ${kindOf(json)}.`);
  return toNode(json).toJSON() as TiptapDocument;
}

// What a string attribute is called in a message about its characters.
const ATTRIBUTE_NAMES: Record<string, string> = { alt: "description", href: "address", src: "address" };

/**
 * Refuses a validated document holding a character that cannot be published (see text.server.ts),
 * wherever it sits: in text, or in an attribute such as an image's description. Only what writers
 * send is checked: an imported entry keeps its signed text, and feeds drop such characters on
 * the way out.
 */
export function requirePublishableDocument(doc: TiptapDocument): void {
  const visit = (node: JSONContent) => {
    if (node.text !== undefined) requirePublishable(node.text, "The essay");
    for (const holder of [node, ...(node.marks ?? [])]) {
      for (const [name, value] of Object.entries(holder.attrs ?? {})) {
        if (typeof value === "string") requirePublishable(value, `The ${ATTRIBUTE_NAMES[name] ?? name} of ${nameOf(holder.type!)}`);
      }
    }
    node.content?.forEach(visit);
  };
  visit(doc);
}

// ---------------------------------------------------------------------------------------------
// HTML. ProseMirror's DOMSerializer, with the schema's own toDOM rules, writes into a minimal
// document of our own rather than a DOM emulation: it only ever creates elements, text and
// fragments, and a reused happy-dom document cost ~4 ms per 2,000-word essay against well under
// 1 ms here (docs/decisions/004-document-schema.md).
// ---------------------------------------------------------------------------------------------

type MarkupNode = MarkupElement | MarkupText;

class MarkupText {
  readonly nodeType = 3;
  constructor(readonly text: string) {}
}

class MarkupParent {
  readonly children: MarkupNode[] = [];
  appendChild<T extends MarkupNode | MarkupFragment>(child: T): T {
    if (child instanceof MarkupFragment) this.children.push(...child.children);
    else this.children.push(child);
    return child;
  }
}

class MarkupFragment extends MarkupParent {
  readonly nodeType = 11;
}

class MarkupElement extends MarkupParent {
  readonly nodeType = 1;
  readonly attributes = new Map<string, string>();
  constructor(readonly tagName: string) {
    super();
  }
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, String(value));
  }
}

const markupDocument = {
  createElement: (tagName: string) => new MarkupElement(tagName.toLowerCase()),
  createTextNode: (text: string) => new MarkupText(text),
  createDocumentFragment: () => new MarkupFragment(),
};

const serializers = new Map<string, DOMSerializer>();
const VOID_ELEMENTS = new Set(["br", "hr", "img"]);
const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };
const SPECIAL_CHARACTER = /[&<>"]/;

function serializerFor(gatewayUrl: string): DOMSerializer {
  let serializer = serializers.get(gatewayUrl);
  if (!serializer) {
    // Serializers look nodes up by type name, so one built for a gateway renders nodes of `schema`.
    serializer = DOMSerializer.fromSchema(getSchema(editorExtensions({ gatewayUrl })));
    serializers.set(gatewayUrl, serializer);
  }
  return serializer;
}

/** Escapes text and attribute values alike: even `<` in an attribute, so an alt text of "<script>" never looks like one. */
/** Text safe in HTML content and in double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return SPECIAL_CHARACTER.test(text) ? text.replace(/[&<>"]/g, (character) => ESCAPES[character]!) : text;
}

function toHtml(nodes: readonly MarkupNode[]): string {
  let html = "";
  for (const node of nodes) {
    if (node instanceof MarkupText) {
      html += escapeHtml(node.text);
      continue;
    }
    html += `<${node.tagName}`;
    for (const [name, value] of node.attributes) html += ` ${name}="${escapeHtml(value)}"`;
    html += VOID_ELEMENTS.has(node.tagName) ? ">" : `>${toHtml(node.children)}</${node.tagName}>`;
  }
  return html;
}

/** The document as HTML for readers; validated again, so nothing unvalidated is ever rendered. */
export function renderDocument(doc: TiptapDocument, opts: { gatewayUrl: string }): string {
  const fragment = serializerFor(opts.gatewayUrl).serializeFragment(toNode(doc).content, { document: markupDocument as unknown as Document }) as unknown as MarkupFragment;
  return toHtml(fragment.children);
}

// ---------------------------------------------------------------------------------------------
// Markdown.
// ---------------------------------------------------------------------------------------------

/**
 * A document from Markdown, validated like parseDocument. Raw HTML, tables and task boxes are
 * kept as literal text; a link or image with a refused address refuses the whole import.
 */
export function markdownToDocument(markdown: string): TiptapDocument {
  checkSize(Buffer.byteLength(markdown), "The Markdown");
  let json: TiptapDocument;
  try {
    json = markdownToJSON(markdown);
  } catch (error) {
    if (error instanceof SchemaViolation) throw new DocumentError(error.message);
    // marked recurses once per nesting level; absurd nesting overflows the stack before our check.
    if (error instanceof RangeError) throw new DocumentError(`The Markdown is nested too deeply (more than ${MAX_NESTING} levels).`);
    throw error;
  }
  return parseDocument(json);
}

/** The document as CommonMark (with GFM strikethrough); markdownToDocument reads it back to the same document. */
export function documentToMarkdown(doc: TiptapDocument): string {
  const markdown = blocksToMarkdown(toNode(doc).content, "\n\n");
  return markdown === "" ? "" : `${markdown}\n`;
}

const EMPHASIS = new Set(["bold", "italic", "strike"]);
// Ties open in this order; marked misreads some strikethrough nested inside emphasis.
const MARK_ORDER = ["link", "strike", "bold", "italic"];
const DELIMITERS: Record<string, string> = { bold: "**", italic: "*", strike: "~~" };
const WORD_CHARACTER = /[\p{L}\p{N}_]/u;

function isList(node: ProseMirrorNode): boolean {
  return node.type.name === "bulletList" || node.type.name === "orderedList";
}

function isEmptyParagraph(node: ProseMirrorNode): boolean {
  return node.type.name === "paragraph" && node.childCount === 0;
}

/** Blocks joined by `separator`; consecutive lists of one kind alternate markers so they stay apart. */
function blocksToMarkdown(fragment: Fragment, separator: string): string {
  const parts: string[] = [];
  let previous: ProseMirrorNode | undefined;
  let alternate = false;
  fragment.forEach((node) => {
    // An empty paragraph has no Markdown form.
    if (isEmptyParagraph(node)) return;
    alternate = isList(node) && previous?.type === node.type ? !alternate : false;
    parts.push(blockToMarkdown(node, alternate));
    previous = node;
  });
  return parts.join(separator);
}

function blockToMarkdown(node: ProseMirrorNode, alternate: boolean): string {
  switch (node.type.name) {
    case "paragraph":
      return inlineToMarkdown(node, false);
    case "heading":
      return `${"#".repeat(node.attrs.level as number)} ${inlineToMarkdown(node, true)}`.trimEnd();
    case "codeBlock":
      return codeBlockToMarkdown(node);
    case "blockquote":
      return blocksToMarkdown(node.content, "\n\n")
        .split("\n")
        .map((line) => (line === "" ? ">" : `> ${line}`))
        .join("\n");
    case "bulletList":
    case "orderedList":
      return listToMarkdown(node, alternate);
    case "horizontalRule":
      // Not `---`: `- ---` would read as a divider rather than a list item holding one.
      return "***";
    case "image":
      return `![${escapeText(oneLine(node.attrs.alt ?? ""))}](${destination(node.attrs.src as string, node.attrs.title as string | null)})`;
    default:
      throw new Error(`no Markdown form for ${node.type.name}`);
  }
}

function codeBlockToMarkdown(node: ProseMirrorNode): string {
  const text = node.textContent;
  // Only a run of backticks at the start of a line could close the fence early.
  const longestRun = Math.max(0, ...(text.match(/^ {0,3}`+/gm) ?? []).map((run) => run.trim().length));
  const fence = "`".repeat(Math.max(3, longestRun + 1));
  return `${fence}${node.attrs.language ?? ""}\n${text === "" ? "" : `${text}\n`}${fence}`;
}

/** Whether a nested list can follow its item's paragraph without a blank line (it can interrupt a paragraph). */
function interruptsParagraph(list: ProseMirrorNode): boolean {
  const firstItem = list.firstChild;
  const startsWithText = !!firstItem?.firstChild && !isEmptyParagraph(firstItem.firstChild);
  return startsWithText && (list.type.name === "bulletList" || list.attrs.start === 1);
}

function listToMarkdown(list: ProseMirrorNode, alternate: boolean): string {
  const ordered = list.type.name === "orderedList";
  let tight = true;
  list.forEach((item) => {
    const second = item.childCount === 2 ? item.child(1) : undefined;
    if (item.childCount > 2 || (second && !(isList(second) && interruptsParagraph(second)))) tight = false;
  });
  const items: string[] = [];
  list.forEach((item, _, index) => {
    const marker = ordered ? `${(list.attrs.start as number) + index}${alternate ? ")" : "."}` : alternate ? "+" : "-";
    const indent = " ".repeat(marker.length + 1);
    const lines = blocksToMarkdown(item.content, tight ? "\n" : "\n\n").split("\n");
    items.push(lines.map((line, i) => (i === 0 ? (line === "" ? marker : `${marker} ${line}`) : line === "" ? "" : `${indent}${line}`)).join("\n"));
  });
  return items.join(tight ? "\n" : "\n\n");
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ");
}

/** A link or image destination with its optional title, escaped to survive the round trip. */
function destination(url: string, title: string | null): string {
  const escapedUrl = url.replace(/[\\()]/g, "\\$&");
  return title ? `${escapedUrl} "${oneLine(title).replace(/[\\"]/g, "\\$&")}"` : escapedUrl;
}

/** Text whose Markdown-significant characters are escaped, so it reads back as the same text. */
function escapeText(text: string): string {
  return (
    text
      .replace(/[\\`*_[\]~<|]/g, "\\$&")
      // Entity references would be decoded on the way back in.
      .replace(/&(?=#\d{1,7};|#[xX][0-9a-fA-F]{1,6};|(?:lt|gt|quot|amp);)/g, "\\&")
      // GFM turns bare URLs and e-mail addresses into links.
      .replace(/(https?|ftp):\/\//gi, "$1\\://")
      .replace(/(www)\./gi, "$1\\.")
      .replace(/([\w.+-])@(?=[\w-]+\.)/g, "$1\\@")
      // Tabs are expanded to spaces inside list items.
      .replace(/\t/g, "&#9;")
  );
}

function codeSpan(text: string): string {
  const flat = text.replace(/\n/g, " ");
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  // CommonMark strips one space from each end when both are there, and a backtick next to the fence would join it.
  const pad = /^`|`$/.test(flat) || (/^ .*[^ ].* $/.test(flat) && flat.length > 1) ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Escapes what would start a block at the beginning of a line, and keeps edge whitespace that Markdown trims. */
function protectLine(line: string): string {
  const leading = /^ */.exec(line)![0];
  const trailing = / *$/.exec(line.slice(leading.length))![0];
  const entities = (ws: string) => ws.replace(/ /g, "&#32;");
  let body = line.slice(leading.length, line.length - trailing.length);
  if (leading === "") body = body.replace(/^[#>+=-]/, "\\$&").replace(/^(\d{1,9})([.)])/, "$1\\$2");
  return `${entities(leading)}${body}${entities(trailing)}`;
}

interface Piece {
  text: string;
  hardBreak: boolean;
  marks: readonly Mark[];
}

function hasMark(marks: readonly Mark[], mark: Mark): boolean {
  return marks.some((other) => other.eq(mark));
}

/**
 * Inline content with marks as properly nested delimiters. Marks that last longer open first;
 * inline code is always innermost. Emphasis delimiters never touch whitespace on their inner side
 * (`** a**` is not bold in Markdown): they close before trailing spaces and open after leading
 * ones, so spaces at the edge of emphasis come back unemphasised.
 */
function inlineToMarkdown(block: ProseMirrorNode, heading: boolean): string {
  const pieces: Piece[] = [];
  block.forEach((child) => {
    if (child.isText) pieces.push({ text: child.text!, hardBreak: false, marks: child.marks });
    else if (heading) pieces.push({ text: " ", hardBreak: false, marks: child.marks });
    else pieces.push({ text: "", hardBreak: true, marks: child.marks.filter((mark) => mark.type.name !== "code") });
  });
  while (pieces.at(-1)?.hardBreak) pieces.pop();

  let out = "";
  const open: Array<{ mark: Mark; delimiter: string }> = [];
  const isEmphasis = (mark: Mark) => EMPHASIS.has(mark.type.name);
  const close = ({ mark, delimiter }: { mark: Mark; delimiter: string }) => {
    if (mark.type.name === "link") {
      out += `](${destination(mark.attrs.href as string, mark.attrs.title as string | null)})`;
    } else {
      const spaces = / *$/.exec(out)![0];
      out = `${out.slice(0, out.length - spaces.length)}${delimiter}${spaces}`;
    }
  };
  const runEnd = (mark: Mark, from: number) => {
    let end = from;
    while (end < pieces.length && hasMark(pieces[end]!.marks, mark)) end++;
    return end;
  };
  // `_` reads unambiguously next to `**` (marked misreads `***a* b *c***`) but cannot open or
  // close inside a word, where `*` is used instead.
  const italicDelimiter = (from: number) => {
    const end = runEnd(pieces[from]!.marks.find((mark) => mark.type.name === "italic")!, from);
    const last = pieces[end - 1]!;
    const next = pieces[end];
    const after = last.hardBreak || / $/.test(last.text) || !next || next.hardBreak ? " " : next.text.charAt(0);
    return WORD_CHARACTER.test(out.slice(-1)) || WORD_CHARACTER.test(after) ? "*" : "_";
  };
  pieces.forEach((piece, index) => {
    const code = piece.marks.some((mark) => mark.type.name === "code");
    const isOpen = (mark: Mark) => open.some((entry) => entry.mark.eq(mark));
    // Emphasis is never opened on spaces alone: there is no word for the delimiters to hold on to.
    const blank = !piece.hardBreak && !code && piece.text.trim() === "";
    const wanted = piece.marks.filter((mark) => mark.type.name !== "code" && !(blank && isEmphasis(mark) && !isOpen(mark)));
    let kept = 0;
    while (kept < open.length && hasMark(wanted, open[kept]!.mark)) kept++;
    while (open.length > kept) close(open.pop()!);
    const opening = wanted.filter((mark) => !isOpen(mark)).sort((a, b) => runEnd(b, index) - runEnd(a, index) || MARK_ORDER.indexOf(a.type.name) - MARK_ORDER.indexOf(b.type.name));
    let text = piece.text;
    for (const mark of opening) {
      let delimiter = "[";
      if (isEmphasis(mark)) {
        if (!code) {
          const spaces = /^ */.exec(text)![0];
          out += spaces;
          text = text.slice(spaces.length);
        }
        delimiter = mark.type.name === "italic" ? italicDelimiter(index) : DELIMITERS[mark.type.name]!;
      }
      out += delimiter;
      open.push({ mark, delimiter });
    }
    if (piece.hardBreak) out += "\\\n";
    else if (code) out += codeSpan(text);
    else out += escapeText(heading ? oneLine(text) : text);
  });
  while (open.length > 0) close(open.pop()!);

  if (heading) return protectLine(out.replace(/(^|\s)#+$/, (run) => run.replace("#", "\\#")));
  return out
    .replace(/\n{2,}/g, "\n")
    .split("\n")
    .map(protectLine)
    .join("\n");
}
