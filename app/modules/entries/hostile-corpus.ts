/**
 * Documents an attacker (or a broken client) might send, for the document pipeline's tests:
 * what must be refused, with which status and message, and what may be accepted but must render
 * inert.
 */
import type { JSONContent } from "@tiptap/core";

export const ARWEAVE_ID = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";

export interface RefusedCase {
  name: string;
  input: unknown;
  status: 400 | 413;
  message: RegExp;
}

const doc = (...content: JSONContent[]) => ({ type: "doc", content });
const paragraph = (...content: JSONContent[]) => ({ type: "paragraph", content });
const text = (value: string, marks?: JSONContent["marks"]) => (marks ? { type: "text", text: value, marks } : { type: "text", text: value });
const linkTo = (href: unknown) => doc(paragraph(text("click me", [{ type: "link", attrs: { href } }])));
const imageOf = (src: unknown) => doc({ type: "image", attrs: { src, alt: "a picture" } });

const LINK_POLICY = /^Links may only point to http\(s\), mailto or ar addresses: /;
const LINK_CHARACTERS = /^Links cannot contain spaces, quotes, angle brackets or control characters: /;
const IMAGE_POLICY = /^Images must be stored on Arweave \(ar:\/\/<id>\) or served over https: /;
const IMAGE_CHARACTERS = /^Images cannot contain spaces, quotes, angle brackets or control characters: /;

/** Addresses no link may have, with the message that names the problem. */
export const HOSTILE_URLS: Array<{ url: string; link: RegExp; image: RegExp }> = [
  { url: "javascript:alert(1)", link: LINK_POLICY, image: IMAGE_POLICY },
  { url: "JAVASCRIPT:alert(1)", link: LINK_POLICY, image: IMAGE_POLICY },
  { url: "JaVaScRiPt:alert(document.cookie)", link: LINK_POLICY, image: IMAGE_POLICY },
  { url: "java\tscript:alert(1)", link: LINK_CHARACTERS, image: IMAGE_CHARACTERS },
  { url: "java\nscript:alert(1)", link: LINK_CHARACTERS, image: IMAGE_CHARACTERS },
  { url: " javascript:alert(1)", link: LINK_CHARACTERS, image: IMAGE_CHARACTERS },
  { url: "\u0000javascript:alert(1)", link: LINK_CHARACTERS, image: IMAGE_CHARACTERS },
  { url: "\u200bjavascript:alert(1)", link: LINK_CHARACTERS, image: IMAGE_CHARACTERS },
  { url: "javascript&#58;alert(1)", link: LINK_POLICY, image: IMAGE_POLICY },
  { url: "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", link: LINK_POLICY, image: IMAGE_POLICY },
  { url: "data:image/svg+xml,<svg onload=alert(1)>", link: LINK_CHARACTERS, image: IMAGE_CHARACTERS },
  { url: "DATA:image/png;base64,iVBORw0KGgo=", link: LINK_POLICY, image: IMAGE_POLICY },
  { url: "vbscript:msgbox(1)", link: LINK_POLICY, image: IMAGE_POLICY },
  { url: "VBScript:msgbox(1)", link: LINK_POLICY, image: IMAGE_POLICY },
  { url: "file:///etc/passwd", link: LINK_POLICY, image: IMAGE_POLICY },
  { url: "//evil.example/x", link: LINK_POLICY, image: IMAGE_POLICY },
  { url: "/relative/path", link: LINK_POLICY, image: IMAGE_POLICY },
  { url: "https://", link: LINK_POLICY, image: IMAGE_POLICY },
  { url: 'https://example.com/"onmouseover="alert(1)', link: LINK_CHARACTERS, image: IMAGE_CHARACTERS },
  { url: "https://example.com/<script>", link: LINK_CHARACTERS, image: IMAGE_CHARACTERS },
  { url: "ar://too-short", link: LINK_POLICY, image: IMAGE_POLICY },
];

export const REFUSED: RefusedCase[] = [
  // Node and mark types outside the schema.
  { name: "a script node", input: doc({ type: "script", content: [text("alert(1)")] }), status: 400, message: /^Unsupported element: script\.$/ },
  { name: "an iframe node", input: doc({ type: "iframe", attrs: { src: "https://evil.example" } }), status: 400, message: /^Unsupported element: iframe\.$/ },
  { name: "a raw html node", input: doc({ type: "html", attrs: { html: "<img src=x onerror=alert(1)>" } }), status: 400, message: /^Unsupported element: html\.$/ },
  { name: "a node typed like an Object property", input: doc({ type: "constructor" }), status: 400, message: /^Unsupported element: constructor\.$/ },
  { name: "a node without a type", input: doc({ content: [text("x")] } as JSONContent), status: 400, message: /^A node has no type/ },
  { name: "an unknown mark", input: doc(paragraph(text("big", [{ type: "font", attrs: { size: 72 } }]))), status: 400, message: /^Unsupported formatting: font\.$/ },
  { name: "a script mark", input: doc(paragraph(text("x", [{ type: "script" }]))), status: 400, message: /^Unsupported formatting: script\.$/ },
  { name: "underline (not part of the schema)", input: doc(paragraph(text("x", [{ type: "underline" }]))), status: 400, message: /^Unsupported formatting: underline\.$/ },
  // Event handlers and other attributes the schema does not declare.
  { name: "onclick on a paragraph", input: doc({ type: "paragraph", attrs: { onclick: "alert(1)" }, content: [text("x")] }), status: 400, message: /^Unsupported attribute onclick on a paragraph\.$/ },
  { name: "onerror on an image", input: doc({ type: "image", attrs: { src: `ar://${ARWEAVE_ID}`, onerror: "alert(1)" } }), status: 400, message: /^Unsupported attribute onerror on an image\.$/ },
  {
    name: "onmouseover on a link",
    input: doc(paragraph(text("x", [{ type: "link", attrs: { href: "https://example.com", onmouseover: "alert(1)" } }]))),
    status: 400,
    message: /^Unsupported attribute onmouseover on a link\.$/,
  },
  { name: "onclick on bold text", input: doc(paragraph(text("x", [{ type: "bold", attrs: { onclick: "alert(1)" } }]))), status: 400, message: /^Unsupported attribute onclick on bold text\.$/ },
  {
    name: "style on a heading",
    input: doc({ type: "heading", attrs: { level: 2, style: "background:url(javascript:alert(1))" }, content: [text("x")] }),
    status: 400,
    message: /^Unsupported attribute style on a heading\.$/,
  },
  {
    name: "target on a link",
    input: doc(paragraph(text("x", [{ type: "link", attrs: { href: "https://example.com", target: "_top" } }]))),
    status: 400,
    message: /^Unsupported attribute target on a link\.$/,
  },
  {
    name: "class on a link",
    input: doc(paragraph(text("x", [{ type: "link", attrs: { href: "https://example.com", class: "admin-button" } }]))),
    status: 400,
    message: /^Unsupported attribute class on a link\.$/,
  },
  { name: "width on an image", input: doc({ type: "image", attrs: { src: `ar://${ARWEAVE_ID}`, width: 99999 } }), status: 400, message: /^Unsupported attribute width on an image\.$/ },
  {
    name: "an onclick property on a node",
    input: doc({ type: "paragraph", onclick: "alert(1)", content: [text("x")] } as JSONContent),
    status: 400,
    message: /^Unsupported property onclick on a paragraph\.$/,
  },
  {
    name: "an onclick property on a mark",
    input: doc(paragraph(text("x", [{ type: "italic", onclick: "alert(1)" } as never]))),
    status: 400,
    message: /^Unsupported property onclick on italic text\.$/,
  },
  { name: "a __proto__ key", input: '{"type":"doc","content":[{"type":"paragraph","__proto__":{"polluted":true}}]}', status: 400, message: /^Unsupported property __proto__ on a paragraph\.$/ },
  { name: "attributes that are not an object", input: doc({ type: "heading", attrs: "level=2" as never }), status: 400, message: /^The attributes of a heading must be an object, not a string/ },
  // Attribute values.
  { name: "a heading of level 1", input: doc({ type: "heading", attrs: { level: 1 }, content: [text("x")] }), status: 400, message: /^Headings can be level 2, 3 or 4, not 1\.$/ },
  { name: "a heading level given as text", input: doc({ type: "heading", attrs: { level: "2" }, content: [text("x")] }), status: 400, message: /^Headings can be level 2, 3 or 4, not 2\.$/ },
  {
    name: "a code language with markup",
    input: doc({ type: "codeBlock", attrs: { language: '"><script>alert(1)</script>' } }),
    status: 400,
    message: /^Code block languages may only use letters, digits, \+, # and - \(at most 32\): /,
  },
  { name: "a code language with a space", input: doc({ type: "codeBlock", attrs: { language: "js onload=alert(1)" } }), status: 400, message: /^Code block languages may only use/ },
  { name: "a 33-character code language", input: doc({ type: "codeBlock", attrs: { language: "a".repeat(33) } }), status: 400, message: /^Code block languages may only use/ },
  {
    name: "a list starting at -1",
    input: doc({ type: "orderedList", attrs: { start: -1 }, content: [{ type: "listItem", content: [paragraph(text("x"))] }] }),
    status: 400,
    message: /^A numbered list must start at a whole number/,
  },
  {
    name: "a link title that is an object",
    input: doc(paragraph(text("x", [{ type: "link", attrs: { href: "https://example.com", title: { toString: "alert" } } }]))),
    status: 400,
    message: /^Link titles must be text/,
  },
  { name: "a link without an address", input: doc(paragraph(text("x", [{ type: "link" }]))), status: 400, message: /^Links need an address\.$/ },
  { name: "an image without a source", input: doc({ type: "image", attrs: { alt: "x" } }), status: 400, message: /^Images need an address\.$/ },
  { name: "plain http images (mixed content)", input: imageOf("http://example.com/a.png"), status: 400, message: IMAGE_POLICY },
  { name: "an image with an Arweave path", input: imageOf(`ar://${ARWEAVE_ID}/index.html`), status: 400, message: IMAGE_POLICY },
  ...HOSTILE_URLS.flatMap(({ url, link, image }) => [
    { name: `a link to ${JSON.stringify(url)}`, input: linkTo(url), status: 400 as const, message: link },
    { name: `an image from ${JSON.stringify(url)}`, input: imageOf(url), status: 400 as const, message: image },
  ]),
  // Structure.
  { name: "a root that is not a doc", input: paragraph(text("x")), status: 400, message: /^A document's root must be "doc", not paragraph\.$/ },
  { name: "a doc inside a doc", input: doc(doc(paragraph(text("x"))) as JSONContent), status: 400, message: /^A document cannot contain another document\.$/ },
  { name: "an empty doc", input: { type: "doc" }, status: 400, message: /^The document's structure is not allowed: Invalid content for node doc/ },
  {
    name: "a list holding a paragraph directly",
    input: doc({ type: "bulletList", content: [paragraph(text("x"))] }),
    status: 400,
    message: /^The document's structure is not allowed: Invalid content for node bulletList/,
  },
  { name: "bold on a block", input: doc({ type: "paragraph", marks: [{ type: "bold" }], content: [text("x")] }), status: 400, message: /^The document's structure is not allowed: / },
  {
    name: "the same mark twice",
    input: doc(paragraph(text("x", [{ type: "bold" }, { type: "bold" }]))),
    status: 400,
    message: /^The document's structure is not allowed: Invalid collection of marks/,
  },
  { name: "an image with content", input: doc({ type: "image", attrs: { src: `ar://${ARWEAVE_ID}` }, content: [text("x")] }), status: 400, message: /^The document's structure is not allowed: / },
  { name: "empty text", input: doc(paragraph({ type: "text", text: "" })), status: 400, message: /^Text nodes need non-empty text, not a string/ },
  { name: "text that is not a string", input: doc(paragraph({ type: "text", text: 42 } as never)), status: 400, message: /^Text nodes need non-empty text, not a number \(42\)\.$/ },
  {
    name: "text with children",
    input: doc(paragraph({ type: "text", text: "x", content: [{ type: "image", attrs: { src: "javascript:alert(1)" } }] })),
    status: 400,
    message: /^Text cannot contain other nodes\.$/,
  },
  { name: "text on a paragraph", input: doc({ type: "paragraph", text: "<script>" } as JSONContent), status: 400, message: /^Only text nodes carry text; a paragraph cannot\.$/ },
  { name: "content that is a string", input: { type: "doc", content: "<script>alert(1)</script>" }, status: 400, message: /^The content of the document must be a list, not a string/ },
  {
    name: "marks that are an object",
    input: doc(paragraph({ type: "text", text: "x", marks: { type: "bold" } } as never)),
    status: 400,
    message: /^The marks of text must be a list, not an object\.$/,
  },
  { name: "a node that is a string", input: doc("<script>alert(1)</script>" as never), status: 400, message: /^Every node must be an object, not a string/ },
  { name: "1,000 nested quotes", input: nested(1000), status: 400, message: /^The document is nested too deeply \(more than 40 levels\)\.$/ },
  { name: "1,000 nested quotes as JSON text", input: JSON.stringify(nested(1000)), status: 400, message: /^The document is nested too deeply/ },
  // Not documents at all.
  { name: "invalid JSON", input: '{"type":"doc","content":[', status: 400, message: /^The document is not valid JSON: / },
  { name: "an empty string", input: "", status: 400, message: /^The document is not valid JSON: / },
  { name: "a JSON array", input: "[]", status: 400, message: /^A document must be a JSON object, not an array\.$/ },
  { name: "a JSON number", input: "42", status: 400, message: /^A document must be a JSON object, not a number \(42\)\.$/ },
  { name: "JSON null", input: "null", status: 400, message: /^A document must be a JSON object, not null\.$/ },
  { name: "a JSON string", input: '"doc"', status: 400, message: /^A document must be a JSON object, not a string \(doc\)\.$/ },
  { name: "an array value", input: [doc(paragraph(text("x")))], status: 400, message: /^A document must be a JSON object, not an array\.$/ },
  { name: "a number value", input: 7, status: 400, message: /^A document must be a JSON object, not a number \(7\)\.$/ },
  { name: "null", input: null, status: 400, message: /^A document must be a JSON object, not null\.$/ },
  { name: "undefined", input: undefined, status: 400, message: /^A document must be a JSON object, not nothing\.$/ },
  { name: "a circular object", input: circular(), status: 400, message: /^The document cannot be written as JSON/ },
  // Too large.
  { name: "a 10 MB JSON body", input: tenMegabytes(), status: 413, message: /^The document is 10\.0 MB; a document can be at most 2 MB\.$/ },
  { name: "a 10 MB object", input: JSON.parse(tenMegabytes()), status: 413, message: /^The document is 10\.0 MB; a document can be at most 2 MB\.$/ },
];

function nested(depth: number): JSONContent {
  let node: JSONContent = paragraph(text("deep"));
  for (let level = 0; level < depth; level++) node = { type: "blockquote", content: [node] };
  return doc(node);
}

function circular(): unknown {
  const node: Record<string, unknown> = { type: "paragraph" };
  node.content = [node];
  return doc(node as JSONContent);
}

/** A valid-looking document of 10 MB (10 * 1024 * 1024 bytes) of JSON. */
function tenMegabytes(): string {
  const prefix = '{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"';
  const suffix = '"}]}]}';
  return `${prefix}${"a".repeat(10 * 1024 * 1024 - prefix.length - suffix.length)}${suffix}`;
}

/**
 * Documents the schema accepts whose text or attributes look like attacks: they must come out of
 * renderDocument escaped, with `needle` present only as text.
 */
export const ACCEPTED_BUT_HOSTILE_LOOKING: Array<{ name: string; doc: JSONContent; escaped: string }> = [
  { name: "script tags as text", doc: doc(paragraph(text("<script>alert(1)</script>"))), escaped: "&lt;script&gt;alert(1)&lt;/script&gt;" },
  { name: "an event handler as text", doc: doc(paragraph(text('<img src=x onerror="alert(1)">'))), escaped: "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" },
  {
    name: "markup breaking out of a code block",
    doc: doc({ type: "codeBlock", attrs: { language: "html" }, content: [text("</code></pre><script>alert(1)</script>")] }),
    escaped: "&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;",
  },
  { name: "a javascript: URL as plain text", doc: doc(paragraph(text("javascript:alert(1)"))), escaped: "javascript:alert(1)" },
  {
    name: "an alt text breaking out of its attribute",
    doc: doc({ type: "image", attrs: { src: `ar://${ARWEAVE_ID}`, alt: '"><script>alert(1)</script>', title: "' onerror='alert(1)" } }),
    escaped: 'alt="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"',
  },
  {
    name: "a link title breaking out of its attribute",
    doc: doc(paragraph(text("x", [{ type: "link", attrs: { href: "https://example.com/?a=1&b=2", title: '" onclick="alert(1)' } }]))),
    escaped: 'title="&quot; onclick=&quot;alert(1)"',
  },
  { name: "entities that must not be decoded", doc: doc(paragraph(text("&lt;script&gt;"))), escaped: "&amp;lt;script&amp;gt;" },
];

/** Markdown an attacker might import or paste, and what becomes of it. */
export const HOSTILE_MARKDOWN: {
  refused: Array<{ name: string; markdown: string; status: 400 | 413; message: RegExp }>;
  literal: Array<{ name: string; markdown: string; text: string }>;
} = {
  refused: [
    { name: "a javascript: link", markdown: "[x](javascript:alert(1))", status: 400, message: LINK_POLICY },
    { name: "a mixed-case javascript: link", markdown: "[x](JaVaScRiPt:alert(1))", status: 400, message: LINK_POLICY },
    { name: "an angle-bracketed javascript: link", markdown: "[x](<javascript:alert(1)>)", status: 400, message: LINK_POLICY },
    { name: "a javascript: autolink", markdown: "<javascript:alert(1)>", status: 400, message: LINK_POLICY },
    { name: "a javascript: reference link", markdown: "[x][evil]\n\n[evil]: javascript:alert(1)", status: 400, message: LINK_POLICY },
    { name: "an entity-hidden scheme", markdown: "[x](javascript&#58;alert(1))", status: 400, message: LINK_POLICY },
    { name: "a vbscript: link", markdown: "[x](vbscript:msgbox(1))", status: 400, message: LINK_POLICY },
    { name: "a data: link", markdown: "[x](data:text/html;base64,PHNjcmlwdD4=)", status: 400, message: LINK_POLICY },
    { name: "a data: image", markdown: "![x](data:image/png;base64,iVBORw0KGgo=)", status: 400, message: IMAGE_POLICY },
    { name: "a javascript: image", markdown: "![x](javascript:alert(1))", status: 400, message: IMAGE_POLICY },
    { name: "a code fence language with markup", markdown: '```"><script>\nx\n```', status: 400, message: /^Code block languages may only use/ },
    { name: "10,000 nested quotes", markdown: `${"> ".repeat(10_000)}deep`, status: 400, message: /nested too deeply/ },
    { name: "10 MB of Markdown", markdown: "a".repeat(10 * 1024 * 1024), status: 413, message: /^The Markdown is 10\.0 MB; a document can be at most 2 MB\.$/ },
  ],
  literal: [
    { name: "a script block", markdown: "<script>alert(1)</script>", text: "<script>alert(1)</script>" },
    { name: "an inline event handler", markdown: "Hello <img src=x onerror=alert(1)> world", text: "Hello <img src=x onerror=alert(1)> world" },
    { name: "an HTML link", markdown: '<a href="javascript:alert(1)">x</a>', text: '<a href="javascript:alert(1)">x</a>' },
    { name: "an iframe", markdown: '<iframe src="https://evil.example"></iframe>', text: '<iframe src="https://evil.example"></iframe>' },
    { name: "an HTML comment", markdown: "<!-- <script>alert(1)</script> -->", text: "<!-- <script>alert(1)</script> -->" },
  ],
};

const hex = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;

/**
 * Text no title, essay, name or message may hold (see app/modules/text.server.ts), each with the
 * code point and kind the refusal names: C0 controls but tab, line feed and carriage return; DEL
 * and the C1 controls; noncharacters; and halves of surrogate pairs, which JSON can spell
 * ("\ud800") though no UTF-8 can.
 */
export const UNPUBLISHABLE_TEXT: Array<{ name: string; text: string; codePoint: string; kind: string }> = [
  ...Array.from({ length: 0x20 }, (_, code) => code)
    .filter((code) => ![0x09, 0x0a, 0x0d].includes(code))
    .map((code) => ({ name: `control character ${hex(code)}`, text: `Before${String.fromCharCode(code)}after`, codePoint: hex(code), kind: "a control character" })),
  ...[0x7f, 0x80, 0x85, 0x9f].map((code) => ({ name: `control character ${hex(code)}`, text: `Before${String.fromCharCode(code)}after`, codePoint: hex(code), kind: "a control character" })),
  ...[0xfffe, 0xffff, 0xfdd0, 0x1fffe, 0x10ffff].map((code) => ({ name: `noncharacter ${hex(code)}`, text: `Before${String.fromCodePoint(code)}after`, codePoint: hex(code), kind: "a noncharacter" })),
  { name: "a lone high surrogate", text: "Before\ud800after", codePoint: "U+D800", kind: "half of a character whose other half is missing" },
  { name: "a lone low surrogate", text: "Before\udfffafter", codePoint: "U+DFFF", kind: "half of a character whose other half is missing" },
  { name: "a surrogate pair in the wrong order", text: "Before\ude00\ud83dafter", codePoint: "U+DE00", kind: "half of a character whose other half is missing" },
];

/** Text that looks like an attack on XML, HTML or the reader's eye, yet is text a writer may publish: feeds must carry it exactly. */
export const HOSTILE_BUT_PUBLISHABLE_TEXT: Array<{ name: string; text: string }> = [
  { name: "a CDATA end", text: "Ends here ]]> or does it" },
  { name: "markup", text: "<script>alert(1)</script> <b>bold</b>" },
  { name: "ampersands and entity references", text: "Ben & Jerry's &amp; &lt;tag&gt; &#1; &#xFFFE;" },
  { name: "quotes and apostrophes", text: `She said "no" and 'yes'` },
  { name: "a right-to-left override", text: "invoice\u202Egnp.exe and \u2067isolated\u2069 text" },
  { name: "emoji, joiners and flags", text: "🦊 👩‍👩‍👧 🏳️‍🌈 1️⃣" },
  { name: "combining marks and zero-width characters", text: "e\u0301 Zalgo\u0336\u0337 zero\u200Bwidth\u2060joiner" },
  { name: "the replacement character itself", text: "A typed \uFFFD is a character like any other" },
  { name: "a very long title of astral characters", text: `${"𝔄".repeat(149)}A` },
];
