import fc from "fast-check";
import { Window } from "happy-dom";
import { describe, expect, it } from "vitest";
import { UserError } from "~/modules/errors.server";
import { MAX_DOCUMENT_BYTES } from "~/modules/body-limits";
import { DocumentError, type TiptapDocument, documentStats, documentText, documentToMarkdown, markdownToDocument, parseDocument, renderDocument } from "./document.server";
import { ACCEPTED_BUT_HOSTILE_LOOKING, ARWEAVE_ID, HOSTILE_MARKDOWN, REFUSED } from "./hostile-corpus";

const GATEWAY = "https://gateway.example";

function refusal(run: () => unknown): DocumentError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DocumentError);
    expect(error).toBeInstanceOf(UserError);
    return error as DocumentError;
  }
  throw new Error("expected a DocumentError, but the call succeeded");
}

const ALLOWED_ELEMENTS: Record<string, string[]> = {
  P: [],
  H2: [],
  H3: [],
  H4: [],
  STRONG: [],
  EM: [],
  S: [],
  CODE: ["class"],
  PRE: [],
  BLOCKQUOTE: [],
  UL: [],
  OL: ["start"],
  LI: [],
  HR: [],
  BR: [],
  A: ["href", "rel", "title"],
  IMG: ["src", "alt", "title", "loading", "decoding"],
};
const SAFE_URL = /^(https:\/\/|http:\/\/|mailto:)/i;

/**
 * What a browser would build from the HTML: only the schema's elements and attributes, URLs only
 * to the web or mail. Text may say anything.
 */
function inertnessProblems(html: string): string[] {
  const problems: string[] = [];
  if (/<script/i.test(html)) problems.push("a <script");
  const window = new Window({ settings: { disableJavaScriptEvaluation: true, disableJavaScriptFileLoading: true } });
  const container = window.document.createElement("div");
  container.innerHTML = html;
  for (const element of Array.from(container.querySelectorAll("*"))) {
    const allowed = ALLOWED_ELEMENTS[element.tagName];
    if (!allowed) problems.push(`element ${element.tagName}`);
    for (const { name, value } of Array.from(element.attributes)) {
      if (!allowed?.includes(name)) problems.push(`attribute ${name} on ${element.tagName}`);
      if ((name === "href" || name === "src") && !SAFE_URL.test(value ?? "")) problems.push(`URL ${value}`);
    }
  }
  window.close();
  return problems;
}

/** The brief's plain-text checks, for output whose text has no such words in it. */
function expectNoDangerousStrings(html: string) {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/on\w+=/i);
  expect(html).not.toMatch(/(javascript|data|vbscript):/i);
}

const RICH: TiptapDocument = {
  type: "doc",
  content: [
    { type: "heading", attrs: { level: 2 }, content: [{ type: "text", text: "The slow web" }] },
    {
      type: "paragraph",
      content: [
        { type: "text", text: "Some " },
        { type: "text", text: "bold", marks: [{ type: "bold" }] },
        { type: "text", text: ", " },
        { type: "text", text: "italic", marks: [{ type: "italic" }] },
        { type: "text", text: ", " },
        { type: "text", text: "gone", marks: [{ type: "strike" }] },
        { type: "text", text: " and " },
        { type: "text", text: "code()", marks: [{ type: "code" }] },
        { type: "text", text: ", a " },
        { type: "text", text: "link", marks: [{ type: "link", attrs: { href: "https://example.com/a?b=1&c=2", title: "Example" } }] },
        { type: "text", text: ", " },
        { type: "text", text: "mail", marks: [{ type: "link", attrs: { href: "mailto:writer@example.com" } }] },
        { type: "text", text: " and an " },
        { type: "text", text: "essay", marks: [{ type: "link", attrs: { href: `ar://${ARWEAVE_ID}` } }] },
        { type: "hardBreak" },
        { type: "text", text: "after a break." },
      ],
    },
    { type: "heading", attrs: { level: 3 }, content: [{ type: "text", text: "Lists" }] },
    {
      type: "bulletList",
      content: [
        { type: "listItem", content: [{ type: "paragraph", content: [{ type: "text", text: "one" }] }] },
        {
          type: "listItem",
          content: [
            { type: "paragraph", content: [{ type: "text", text: "two" }] },
            { type: "bulletList", content: [{ type: "listItem", content: [{ type: "paragraph", content: [{ type: "text", text: "nested" }] }] }] },
          ],
        },
      ],
    },
    { type: "orderedList", attrs: { start: 3 }, content: [{ type: "listItem", content: [{ type: "paragraph", content: [{ type: "text", text: "three" }] }] }] },
    { type: "blockquote", content: [{ type: "paragraph", content: [{ type: "text", text: "A quote." }] }] },
    { type: "codeBlock", attrs: { language: "ts" }, content: [{ type: "text", text: "const x = a < b && c > d;" }] },
    { type: "horizontalRule" },
    { type: "image", attrs: { src: `ar://${ARWEAVE_ID}`, alt: "A harbour at dawn", title: null } },
    { type: "heading", attrs: { level: 4 }, content: [{ type: "text", text: "Fin" }] },
    { type: "image", attrs: { src: "https://images.example/photo.jpg" } },
    { type: "paragraph" },
  ],
};

describe("parseDocument", () => {
  it("accepts a rich document, as an object or as JSON text, and normalizes it", () => {
    const parsed = parseDocument(RICH);
    expect(parseDocument(JSON.stringify(RICH))).toEqual(parsed);
    // Defaults are filled in, so stored documents are explicit.
    expect(parsed.content![0]).toEqual({ type: "heading", attrs: { level: 2 }, content: [{ type: "text", text: "The slow web" }] });
    expect(parsed.content!.at(-2)).toEqual({ type: "image", attrs: { src: "https://images.example/photo.jpg", alt: null, title: null } });
    // Parsing is idempotent.
    expect(parseDocument(parsed)).toEqual(parsed);
  });

  it("merges adjacent text with the same marks and orders marks", () => {
    const parsed = parseDocument({
      type: "doc",
      content: [
        {
          type: "paragraph",
          content: [
            { type: "text", text: "a", marks: [{ type: "italic" }, { type: "bold" }] },
            { type: "text", text: "b", marks: [{ type: "bold" }, { type: "italic" }] },
          ],
        },
      ],
    });
    expect(parsed.content![0]!.content).toEqual([{ type: "text", text: "ab", marks: [{ type: "bold" }, { type: "italic" }] }]);
  });

  it("accepts inline code inside a link and with emphasis", () => {
    expect(() =>
      parseDocument({
        type: "doc",
        content: [{ type: "paragraph", content: [{ type: "text", text: "fn", marks: [{ type: "link", attrs: { href: "https://x.example" } }, { type: "bold" }, { type: "code" }] }] }],
      })
    ).not.toThrow();
  });

  it("caps documents at 2 MB", () => {
    expect(MAX_DOCUMENT_BYTES).toBe(2 * 1024 * 1024);
    const justUnder = JSON.stringify({ type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text: "a".repeat(MAX_DOCUMENT_BYTES - 200) }] }] });
    expect(() => parseDocument(justUnder)).not.toThrow();
  });

  describe("refuses the hostile corpus", () => {
    it.each(REFUSED.map((c) => [c.name, c] as const))("%s", (_name, { input, status, message }) => {
      const error = refusal(() => parseDocument(input));
      expect(error.status).toBe(status);
      expect(error.message).toMatch(message);
      expect(error.message.length).toBeLessThan(300);
      // renderDocument validates too: nothing refused here can be rendered by mistake.
      if (status === 400 && typeof input === "object" && input !== null && !Array.isArray(input)) {
        expect(() => renderDocument(input as TiptapDocument, { gatewayUrl: GATEWAY })).toThrow(DocumentError);
      }
    });
  });
});

describe("renderDocument", () => {
  const html = renderDocument(parseDocument(RICH), { gatewayUrl: GATEWAY });

  it("renders every element of a rich document", () => {
    expect(html).toContain("<h2>The slow web</h2>");
    expect(html).toContain("<h3>Lists</h3>");
    expect(html).toContain("<h4>Fin</h4>");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<em>italic</em>");
    expect(html).toContain("<s>gone</s>");
    expect(html).toContain("<code>code()</code>");
    expect(html).toContain('<a rel="noopener noreferrer nofollow" href="https://example.com/a?b=1&amp;c=2" title="Example">link</a>');
    expect(html).toContain('<a rel="noopener noreferrer nofollow" href="mailto:writer@example.com">mail</a>');
    expect(html).toContain("<br>after a break.");
    expect(html).toContain("<ul><li><p>one</p></li><li><p>two</p><ul><li><p>nested</p></li></ul></li></ul>");
    expect(html).toContain('<ol start="3"><li><p>three</p></li></ol>');
    expect(html).toContain("<blockquote><p>A quote.</p></blockquote>");
    expect(html).toContain('<pre><code class="language-ts">const x = a &lt; b &amp;&amp; c &gt; d;</code></pre>');
    expect(html).toContain("<hr>");
    expect(html).toContain('<img loading="lazy" decoding="async" src="https://images.example/photo.jpg" alt="">');
    expect(inertnessProblems(html)).toEqual([]);
    expectNoDangerousStrings(html);
  });

  it("resolves ar:// references on the reader's gateway, with or without a trailing slash", () => {
    expect(html).toContain(`<img loading="lazy" decoding="async" src="${GATEWAY}/${ARWEAVE_ID}" alt="A harbour at dawn">`);
    expect(html).toContain(`href="${GATEWAY}/${ARWEAVE_ID}">essay</a>`);
    const other = renderDocument(parseDocument(RICH), { gatewayUrl: "http://127.0.0.1:1984/" });
    expect(other).toContain(`src="http://127.0.0.1:1984/${ARWEAVE_ID}"`);
    expect(other).not.toContain("ar://");
  });

  it("never marks up empty paragraphs with anything but <p></p>", () => {
    expect(html.endsWith("<p></p>")).toBe(true);
  });

  describe("renders hostile-looking but valid text inert", () => {
    it.each(ACCEPTED_BUT_HOSTILE_LOOKING.map((c) => [c.name, c] as const))("%s", (_name, { doc, escaped }) => {
      const rendered = renderDocument(parseDocument(doc), { gatewayUrl: GATEWAY });
      expect(rendered).toContain(escaped);
      expect(inertnessProblems(rendered)).toEqual([]);
    });
  });
});

describe("Markdown", () => {
  // Written in the form documentToMarkdown produces, so the text must come back byte for byte.
  const CANONICAL = `## The slow web

Some **bold**, _italic_, ~~gone~~ and \`code()\`, a [link](https://example.com/a_\\(b\\) "Example"), [mail](mailto:writer@example.com) and an [essay](ar://${ARWEAVE_ID}).\\
After a break; **bold with _italic_ inside** and [**a bold link**](https://example.com).

### Lists

- one
- two
  - nested

3. three
4. four

- first list
- still first

+ second list, kept apart

> A quote
> over two lines.
>
> - with a list

\`\`\`ts
const fence = "\`\`\`";
\`\`\`

\`\`\`
plain code
\`\`\`

***

![A harbour at dawn](ar://${ARWEAVE_ID} "Dawn")

![](https://images.example/photo.jpg)

#### Fin
`;

  it("reads every supported construct", () => {
    const doc = markdownToDocument(CANONICAL);
    const types = new Set<string>();
    const marks = new Set<string>();
    const visit = (node: { type?: string; marks?: Array<{ type: string }>; content?: unknown[] }) => {
      types.add(node.type!);
      node.marks?.forEach((mark) => marks.add(mark.type));
      (node.content as (typeof node)[] | undefined)?.forEach(visit);
    };
    visit(doc);
    expect([...types].sort()).toEqual(["blockquote", "bulletList", "codeBlock", "doc", "hardBreak", "heading", "horizontalRule", "image", "listItem", "orderedList", "paragraph", "text"]);
    expect([...marks].sort()).toEqual(["bold", "code", "italic", "link", "strike"]);
    expect(doc.content!.filter((node) => node.type === "bulletList")).toHaveLength(3);
    expect(doc.content!.find((node) => node.type === "codeBlock")).toEqual({ type: "codeBlock", attrs: { language: "ts" }, content: [{ type: "text", text: 'const fence = "```";' }] });
    expect(doc.content!.find((node) => node.type === "image")).toEqual({ type: "image", attrs: { src: `ar://${ARWEAVE_ID}`, alt: "A harbour at dawn", title: "Dawn" } });
  });

  it("round-trips Markdown → document → Markdown", () => {
    expect(documentToMarkdown(markdownToDocument(CANONICAL))).toBe(CANONICAL);
  });

  it("round-trips a document → Markdown → document", () => {
    const doc = parseDocument(RICH);
    const back = markdownToDocument(documentToMarkdown(doc));
    // Empty paragraphs have no Markdown form; everything else survives.
    expect(back).toEqual({ ...doc, content: doc.content!.filter((node) => node.content || node.type !== "paragraph") });
  });

  it("escapes text that would otherwise read as Markdown", () => {
    const lines = [
      "# not a heading",
      "- not a list",
      "1. not a list",
      "> not a quote",
      "---",
      "*not emphasis* _nor this_ ~~nor this~~ `nor code`",
      "[not](a link) ![nor](an image) <not-html> | a | table |",
      "https://not.autolinked.example www.not-either.example writer@not-mail.example",
      "&amp; stays &amp; and \\ stays \\",
      "    four leading spaces and trailing ones   ",
      "a\ttab",
    ];
    const doc = parseDocument({ type: "doc", content: lines.map((line) => ({ type: "paragraph", content: [{ type: "text", text: line }] })) });
    expect(markdownToDocument(documentToMarkdown(doc))).toEqual(doc);
  });

  it("keeps tabs in code blocks", () => {
    const doc = parseDocument({ type: "doc", content: [{ type: "codeBlock", attrs: { language: "go" }, content: [{ type: "text", text: "func main() {\n\tfmt.Println(`hi`)\n}" }] }] });
    expect(documentToMarkdown(doc)).toBe("```go\nfunc main() {\n\tfmt.Println(`hi`)\n}\n```\n");
    expect(markdownToDocument(documentToMarkdown(doc))).toEqual(doc);
  });

  it("round-trips random documents", () => {
    fc.assert(
      fc.property(randomDocument(), (raw) => {
        const doc = parseDocument(raw);
        expect(withoutEmphasisOnSpaces(markdownToDocument(documentToMarkdown(doc)))).toEqual(withoutEmphasisOnSpaces(doc));
      }),
      { numRuns: 300 }
    );
  });

  it("clamps heading levels and keeps what the schema cannot express as literal text", () => {
    const doc = markdownToDocument("# One\n\n###### Six\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [ ] task\n\nText ![inline](https://images.example/x.png) more");
    expect(doc.content).toEqual([
      { type: "heading", attrs: { level: 2 }, content: [{ type: "text", text: "One" }] },
      { type: "heading", attrs: { level: 4 }, content: [{ type: "text", text: "Six" }] },
      { type: "paragraph", content: [{ type: "text", text: "| a | b |" }, { type: "hardBreak" }, { type: "text", text: "|---|---|" }, { type: "hardBreak" }, { type: "text", text: "| 1 | 2 |" }] },
      { type: "bulletList", content: [{ type: "listItem", content: [{ type: "paragraph", content: [{ type: "text", text: "[ ] task" }] }] }] },
      { type: "paragraph", content: [{ type: "text", text: "Text" }] },
      { type: "image", attrs: { src: "https://images.example/x.png", alt: "inline", title: null } },
      { type: "paragraph", content: [{ type: "text", text: "more" }] },
    ]);
  });

  it("reads empty Markdown as an empty document", () => {
    expect(markdownToDocument("")).toEqual({ type: "doc", content: [{ type: "paragraph" }] });
    expect(documentToMarkdown(markdownToDocument(""))).toBe("");
  });

  describe("refuses hostile Markdown", () => {
    it.each(HOSTILE_MARKDOWN.refused.map((c) => [c.name, c] as const))("%s", (_name, { markdown, status, message }) => {
      const error = refusal(() => markdownToDocument(markdown));
      expect(error.status).toBe(status);
      expect(error.message).toMatch(message);
    });
  });

  describe("keeps raw HTML as literal text", () => {
    it.each(HOSTILE_MARKDOWN.literal.map((c) => [c.name, c] as const))("%s", (_name, { markdown, text }) => {
      const doc = markdownToDocument(markdown);
      expect(documentText(doc)).toBe(text);
      const html = renderDocument(doc, { gatewayUrl: GATEWAY });
      expect(inertnessProblems(html)).toEqual([]);
      expect(html).toContain("&lt;");
      expect(markdownToDocument(documentToMarkdown(doc))).toEqual(doc);
    });
  });
});

describe("documentText and documentStats", () => {
  it("gives the prose with blocks separated by blank lines", () => {
    expect(documentText(parseDocument(RICH))).toBe(
      ["The slow web", "Some bold, italic, gone and code(), a link, mail and an essay\nafter a break.", "Lists", "one", "two", "nested", "three", "A quote.", "const x = a < b && c > d;", "Fin"].join(
        "\n\n"
      )
    );
  });

  it("counts words and reading time at 238 words a minute", () => {
    const ofWords = (count: number) => ({ type: "doc" as const, content: [{ type: "paragraph", content: [{ type: "text", text: Array.from({ length: count }, () => "word").join(" ") }] }] });
    expect(documentStats({ type: "doc", content: [{ type: "paragraph" }] })).toEqual({ words: 0, readingMinutes: 0 });
    expect(documentStats(ofWords(1))).toEqual({ words: 1, readingMinutes: 1 });
    expect(documentStats(ofWords(476))).toEqual({ words: 476, readingMinutes: 2 });
    expect(documentStats(ofWords(2000))).toEqual({ words: 2000, readingMinutes: 8 });
    // Punctuation alone is not a word; hyphenated and contracted words are one.
    expect(documentStats({ type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text: "Don't — state-of-the-art, 2,000 times!" }] }] }).words).toBe(4);
  });
});

// ---------------------------------------------------------------------------------------------
// Random documents for the round-trip property. They avoid what Markdown (or marked) cannot carry,
// documented in docs/decisions/004-document-schema.md: spaces at the edge of emphasis, empty
// paragraphs, line breaks in headings, emphasis closing between punctuation and a letter, tabs
// in code nested in lists, and backticks or `<` in code spans.
// ---------------------------------------------------------------------------------------------

function randomDocument() {
  const piece = fc.constantFrom(..."ab z1.#>-+=!~`|<&:/@*_[]()\\\"' ".split(""), "https://", "www.", "&amp;", "a@b.co", "1. ", "- ");
  const word = fc.array(piece, { minLength: 1, maxLength: 8 }).map((pieces) => `w${pieces.join("")}w`);
  const href = fc.constantFrom("https://example.com/a_(b)", "mailto:x@y.example", `ar://${ARWEAVE_ID}/p`, "https://e.example/?q=1&amp;r");
  const mark = fc.oneof(
    fc.constant({ type: "bold" }),
    fc.constant({ type: "italic" }),
    fc.constant({ type: "strike" }),
    fc.constant({ type: "code" }),
    href.map((value) => ({ type: "link", attrs: { href: value, title: null } }))
  );
  const text = fc
    .record({ type: fc.constant("text"), text: word, marks: fc.uniqueArray(mark, { maxLength: 2, selector: (m) => m.type }) })
    .map((node) => (node.marks.some((m) => m.type === "code") ? { ...node, text: node.text.replace(node.marks.length > 1 ? /[`[\]\\<]/g : /[`<]/g, "b") } : node));
  const inlineNode = fc.oneof(
    { weight: 8, arbitrary: text },
    { weight: 1, arbitrary: fc.constant({ type: "hardBreak" }) },
    { weight: 2, arbitrary: fc.constantFrom({ type: "text", text: " " }, { type: "text", text: "  \t" }) }
  );
  type Inline = { type: string; text?: string; marks?: Array<{ type: string }> };
  // Nodes are separated by a space carrying the marks both neighbours share, so marks still span nodes.
  const shared = (a: Inline, b: Inline) => (a.marks ?? []).filter((m) => m.type !== "code" && (b.marks ?? []).some((n) => JSON.stringify(n) === JSON.stringify(m)));
  const inline = fc
    .tuple(fc.array(inlineNode, { maxLength: 4 }), text)
    .map(([nodes, last]) => [...nodes, last].flatMap((node: Inline, index, all: Inline[]) => (index === 0 ? [node] : [{ type: "text", text: " ", marks: shared(all[index - 1]!, node) }, node])));
  const { block } = fc.letrec<{ block: object }>((tie) => ({
    block: fc.oneof(
      { depthSize: "small" },
      inline.map((content) => ({ type: "paragraph", content })),
      fc.tuple(fc.constantFrom(2, 3, 4), inline).map(([level, content]) => ({ type: "heading", attrs: { level }, content: content.filter((node) => node.type !== "hardBreak") })),
      fc
        .tuple(fc.constantFrom(null, "ts", "c++"), fc.array(fc.constantFrom("x", "`", "```", "\n", " ", "~~~", "<", "\\"), { maxLength: 6 }))
        .map(([language, parts]) => ({ type: "codeBlock", attrs: { language }, ...(parts.length > 0 ? { content: [{ type: "text", text: parts.join("") }] } : {}) })),
      fc.constant({ type: "horizontalRule" }),
      fc.record({ type: fc.constant("image"), attrs: fc.record({ src: fc.constantFrom(`ar://${ARWEAVE_ID}`, "https://x.example/a(1).png"), alt: fc.option(word), title: fc.option(word) }) }),
      fc.array(tie("block"), { minLength: 1, maxLength: 3 }).map((content) => ({ type: "blockquote", content })),
      fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 12 }), fc.array(fc.tuple(inline, fc.array(tie("block"), { maxLength: 2 })), { minLength: 1, maxLength: 3 })).map(([ordered, start, items]) => ({
        type: ordered ? "orderedList" : "bulletList",
        ...(ordered ? { attrs: { start } } : {}),
        content: items.map(([first, rest]) => ({ type: "listItem", content: [{ type: "paragraph", content: first }, ...rest] })),
      }))
    ),
  }));
  return fc.array(block, { minLength: 1, maxLength: 4 }).map((content) => ({ type: "doc", content }));
}

/** Spaces at the edge of emphasis come back without it: compare documents modulo that. */
function withoutEmphasisOnSpaces<T>(node: T): T {
  const source = node as { type: string; text?: string; marks?: Array<{ type: string }>; content?: unknown[] };
  if (!source.content) return node;
  const content: Array<typeof source> = [];
  for (const child of source.content.map(withoutEmphasisOnSpaces) as Array<typeof source>) {
    const parts =
      child.type === "text"
        ? child
            .text!.split(/( +)/)
            .filter(Boolean)
            .map((part) => ({ type: "text", text: part, marks: (child.marks ?? []).filter((mark) => !(part.trim() === "" && ["bold", "italic", "strike"].includes(mark.type))) }))
        : [child];
    for (const part of parts) {
      const last = content.at(-1);
      if (last?.type === "text" && part.type === "text" && JSON.stringify(last.marks) === JSON.stringify(part.marks)) last.text += part.text!;
      else content.push(part);
    }
  }
  return { ...source, content } as T;
}
