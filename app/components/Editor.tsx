import { type ResolvedPos, Slice } from "@tiptap/pm/model";
import type { EditorView } from "@tiptap/pm/view";
import { type ChainedCommands, type Editor as TiptapEditor, EditorContent, useEditor, useEditorState } from "@tiptap/react";
import { type FormEvent, type KeyboardEvent as ReactKeyboardEvent, type ReactNode, useCallback, useEffect, useId, useRef, useState } from "react";
import {
  HEADING_LEVELS,
  MAX_LABEL_LENGTH,
  type TiptapDocument,
  codeLanguageProblem,
  documentStats,
  editorExtensions,
  imageSrcProblem,
  linkHrefProblem,
  markdownToJSON,
} from "~/modules/entries/extensions";
import editorStyles from "./editor.css";
import { useNonce } from "./page-scripts";

/** The editor's stylesheet: spread into the `links` of any route that renders <Editor>. */
export const links = [{ rel: "stylesheet", href: editorStyles }];

export interface EditorProps {
  initialTitle: string;
  initialDocument: TiptapDocument | null;
  gatewayUrl: string;
  onChange(state: { title: string; document: TiptapDocument; words: number; readingMinutes: number }): void;
  /**
   * Resolves with the image's Arweave id and, while the gateway does not serve it yet, the URL
   * that shows it meanwhile; a rejection's message is shown to the writer.
   */
  onUploadImage(file: File): Promise<{ id: string; url?: string }>;
  /** The document's images the gateway does not serve yet: Arweave id to the URL that shows each meanwhile. */
  pendingImages?: Record<string, string>;
}

type Notice = { kind: "error" | "info"; text: string };
type HeadingLevel = (typeof HEADING_LEVELS)[number];

const HEADING_NAMES: Record<HeadingLevel, string> = { 2: "Section", 3: "Subsection", 4: "Minor section" };

const EMPTY_DOCUMENT: TiptapDocument = { type: "doc", content: [{ type: "paragraph" }] };
const LANGUAGE_SUGGESTIONS = ["bash", "c", "c++", "c#", "css", "go", "html", "java", "javascript", "json", "python", "ruby", "rust", "solidity", "sql", "typescript", "yaml"];

// Block syntax at a line start, or inline syntax that plain prose rarely contains.
const MARKDOWN_SIGNS = [/^ {0,3}(#{1,6}[ \t]|>|[-*+][ \t]|\d{1,9}[.)][ \t]|```|~~~)/m, /\*\*\S[^\n]*?\*\*|__\S[^\n]*?__|~~\S[^\n]*?~~/, /`[^`\n]+`/, /!?\[[^\]\n]+\]\([^)\s]+\)/];

function looksLikeMarkdown(text: string): boolean {
  return MARKDOWN_SIGNS.some((sign) => sign.test(text));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function imageFiles(list: FileList | null | undefined): File[] {
  return Array.from(list ?? []).filter((file) => file.type.startsWith("image/"));
}

/** A bare domain gets https://, so "example.com" works as a writer expects. */
function normalizeHref(input: string): string {
  const href = input.trim();
  return /^[a-z][a-z0-9+.-]*:/i.test(href) || !/^[^\s/]+\.[^\s/]+/.test(href) ? href : `https://${href}`;
}

function ToolbarButton(props: { label: string; pressed?: boolean; disabled: boolean; onClick(): void; shortcut?: string; first?: boolean; children: ReactNode }) {
  return (
    <button
      type="button"
      className="editor-tool"
      aria-label={props.label}
      aria-pressed={props.pressed}
      aria-keyshortcuts={props.shortcut}
      title={props.shortcut ? `${props.label} (${props.shortcut})` : props.label}
      disabled={props.disabled}
      // One tab stop for the whole toolbar; moveToolbarFocus moves it.
      tabIndex={props.first ? 0 : -1}
      // Keep the editor's selection: the command applies to it.
      onMouseDown={(event) => event.preventDefault()}
      onClick={props.onClick}
    >
      {props.children}
    </button>
  );
}

/** Arrow keys move between toolbar buttons; Tab enters and leaves the toolbar as one stop. */
function moveToolbarFocus(event: ReactKeyboardEvent<HTMLDivElement>) {
  const buttons = Array.from(event.currentTarget.querySelectorAll<HTMLButtonElement>("button.editor-tool:not(:disabled)"));
  const current = buttons.indexOf(document.activeElement as HTMLButtonElement);
  const targets: Record<string, number> = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: buttons.length - 1 };
  if (!(event.key in targets) || buttons.length === 0) return;
  event.preventDefault();
  const next = buttons[(targets[event.key]! + buttons.length) % buttons.length]!;
  for (const button of buttons) button.tabIndex = button === next ? 0 : -1;
  next.focus();
}

export function Editor(props: EditorProps) {
  const { gatewayUrl } = props;
  const [title, setTitle] = useState(props.initialTitle);
  const [stats, setStats] = useState(() => documentStats(props.initialDocument ?? EMPTY_DOCUMENT));
  const [notice, setNotice] = useState<Notice | null>(null);
  const [uploads, setUploads] = useState(0);
  const [linkDraft, setLinkDraft] = useState<{ href: string; problem?: string } | null>(null);
  const [language, setLanguage] = useState("");
  const [languageProblem, setLanguageProblem] = useState<string | undefined>();
  const fileInput = useRef<HTMLInputElement>(null);
  const editorRef = useRef<TiptapEditor | null>(null);
  // Images shown from the press until the gateway serves them; the document keeps their ar:// ids.
  const previews = useRef(new Map(Object.entries(props.pendingImages ?? {})));
  // The editor's callbacks are registered once; they read the latest props and title from here.
  const latest = useRef({ props, title });
  latest.current = { props, title };
  const ids = { level: useId(), language: useId(), languages: useId(), alt: useId(), link: useId(), linkProblem: useId() };

  const report = useCallback((editor: TiptapEditor, nextTitle: string) => {
    const document = editor.getJSON() as TiptapDocument;
    const nextStats = documentStats(document);
    setStats((previous) => (previous.words === nextStats.words && previous.readingMinutes === nextStats.readingMinutes ? previous : nextStats));
    latest.current.props.onChange({ title: nextTitle, document, ...nextStats });
  }, []);

  const uploadImages = useCallback(async (files: File[], at?: number) => {
    setNotice(null);
    for (const file of files) {
      setUploads((count) => count + 1);
      try {
        const { id, url } = await latest.current.props.onUploadImage(file);
        const src = `ar://${id}`;
        const problem = imageSrcProblem(src);
        if (problem) throw new Error(`the server answered with an unusable image id (${problem})`);
        if (url) previews.current.set(id, url);
        const editor = editorRef.current;
        if (!editor || editor.isDestroyed) return;
        // A drop position holds for the first image; the others follow it in order.
        const position = Math.min(at ?? editor.state.selection.to, editor.state.doc.content.size);
        at = undefined;
        editor
          .chain()
          .focus()
          .insertContentAt(position, { type: "image", attrs: { src, alt: null, title: null } })
          .run();
      } catch (error) {
        setNotice({ kind: "error", text: `“${file.name}” could not be uploaded: ${messageOf(error)}` });
      } finally {
        setUploads((count) => count - 1);
      }
    }
  }, []);

  const openLinkForm = useCallback(() => {
    const editor = editorRef.current;
    if (!editor) return;
    setLinkDraft({ href: (editor.getAttributes("link").href as string | undefined) ?? "" });
  }, []);

  /** Markdown pasted as plain text becomes rich content, if the schema allows all of it. */
  const markdownSlice = useCallback((text: string, $context: ResolvedPos, plain: boolean, view: EditorView): Slice | null => {
    if (plain || $context.parent.type.spec.code || !looksLikeMarkdown(text)) return null;
    try {
      const doc = view.state.schema.nodeFromJSON(markdownToJSON(text));
      doc.check();
      const first = doc.firstChild;
      const last = doc.lastChild;
      return new Slice(doc.content, first?.isTextblock ? 1 : 0, last?.isTextblock ? 1 : 0);
    } catch (error) {
      setNotice({ kind: "info", text: `Pasted as plain text: ${messageOf(error)}` });
      return null;
    }
  }, []);

  const nonce = useNonce();
  const editor = useEditor({
    extensions: editorExtensions({ gatewayUrl, placeholder: "Write your essay…", imagePreview: (id) => previews.current.get(id) }),
    // The page's policy admits a style element only with its nonce.
    injectNonce: nonce,
    content: props.initialDocument ?? EMPTY_DOCUMENT,
    immediatelyRender: false,
    shouldRerenderOnTransaction: false,
    editorProps: {
      attributes: { "data-testid": "editor", class: "editor-body prose", role: "textbox", "aria-multiline": "true", "aria-label": "Essay" },
      // prosemirror-view types this as returning a Slice, but it treats null as "parse as plain text".
      clipboardTextParser: markdownSlice as (text: string, $context: ResolvedPos, plain: boolean, view: EditorView) => Slice,
      handlePaste: (view, event) => {
        const files = imageFiles(event.clipboardData?.files);
        if (files.length > 0) {
          event.preventDefault();
          void uploadImages(files);
          return true;
        }
        // VS Code puts its colouring on the clipboard as HTML; what the writer copied is the text.
        const data = event.clipboardData;
        if (data?.types.includes("vscode-editor-data")) {
          view.pasteText(data.getData("text/plain"));
          return true;
        }
        return false;
      },
      handleDrop: (view, event, _slice, moved) => {
        const files = moved ? [] : imageFiles(event.dataTransfer?.files);
        if (files.length === 0) return false;
        event.preventDefault();
        void uploadImages(files, view.posAtCoords({ left: event.clientX, top: event.clientY })?.pos);
        return true;
      },
      handleKeyDown: (_view, event) => {
        if ((event.metaKey || event.ctrlKey) && event.key.toLowerCase() === "k") {
          event.preventDefault();
          openLinkForm();
          return true;
        }
        return false;
      },
    },
    onUpdate: ({ editor: updated }) => report(updated, latest.current.title),
  });

  useEffect(() => {
    editorRef.current = editor;
  }, [editor]);

  const active = useEditorState({
    editor,
    selector: ({ editor: current }) =>
      current
        ? {
            bold: current.isActive("bold"),
            italic: current.isActive("italic"),
            strike: current.isActive("strike"),
            code: current.isActive("code"),
            heading: current.isActive("heading") ? (current.getAttributes("heading").level as HeadingLevel) : null,
            bulletList: current.isActive("bulletList"),
            orderedList: current.isActive("orderedList"),
            blockquote: current.isActive("blockquote"),
            codeBlock: current.isActive("codeBlock"),
            link: current.isActive("link"),
            image: current.isActive("image"),
            language: (current.getAttributes("codeBlock").language as string | null) ?? "",
            alt: (current.getAttributes("image").alt as string | null) ?? "",
          }
        : null,
  });

  // The language field follows the code block the cursor is in, except while the writer types in it.
  useEffect(() => {
    if (document.activeElement?.id === ids.language) return;
    setLanguage(active?.language ?? "");
    setLanguageProblem(undefined);
  }, [active?.language, active?.codeBlock, ids.language]);

  const run = (command: (chain: ChainedCommands) => ChainedCommands) => () => {
    if (editor) command(editor.chain().focus()).run();
  };
  const disabled = !editor;

  function changeTitle(value: string) {
    setTitle(value);
    if (editor) report(editor, value);
  }

  function applyLink(event: FormEvent) {
    event.preventDefault();
    if (!editor || !linkDraft) return;
    const href = normalizeHref(linkDraft.href);
    const problem = linkHrefProblem(href);
    if (problem) {
      setLinkDraft({ href: linkDraft.href, problem });
      return;
    }
    const chain = editor.chain().focus();
    if (editor.state.selection.empty && !editor.isActive("link")) {
      chain.insertContent({ type: "text", text: href, marks: [{ type: "link", attrs: { href, title: null } }] }).run();
    } else {
      chain.extendMarkRange("link").setLink({ href }).run();
    }
    setLinkDraft(null);
  }

  function removeLink() {
    editor?.chain().focus().extendMarkRange("link").unsetLink().run();
    setLinkDraft(null);
  }

  function closeLinkForm() {
    setLinkDraft(null);
    editor?.commands.focus();
  }

  function changeLanguage(value: string) {
    setLanguage(value);
    const next = value.trim() === "" ? null : value.trim();
    const problem = codeLanguageProblem(next);
    setLanguageProblem(problem);
    if (!problem) editor?.chain().updateAttributes("codeBlock", { language: next }).run();
  }

  return (
    <div className="essay-editor">
      <textarea
        name="title"
        data-testid="title"
        className="editor-title"
        aria-label="Title"
        placeholder="Title"
        rows={1}
        value={title}
        onChange={(event) => changeTitle(event.target.value.replace(/\n/g, " "))}
        onKeyDown={(event) => {
          if (event.key === "Enter") {
            event.preventDefault();
            editor?.commands.focus("start");
          }
        }}
      />

      <div className="editor-toolbar" role="toolbar" aria-label="Formatting" onKeyDown={moveToolbarFocus}>
        <ToolbarButton first label="Bold" shortcut="Control+B" pressed={active?.bold} disabled={disabled} onClick={run((c) => c.toggleBold())}>
          <strong>B</strong>
        </ToolbarButton>
        <ToolbarButton label="Italic" shortcut="Control+I" pressed={active?.italic} disabled={disabled} onClick={run((c) => c.toggleItalic())}>
          <em>I</em>
        </ToolbarButton>
        <ToolbarButton label="Strikethrough" shortcut="Control+Shift+S" pressed={active?.strike} disabled={disabled} onClick={run((c) => c.toggleStrike())}>
          <s>S</s>
        </ToolbarButton>
        <ToolbarButton label="Inline code" shortcut="Control+E" pressed={active?.code} disabled={disabled} onClick={run((c) => c.toggleCode())}>
          <code>{"<>"}</code>
        </ToolbarButton>
        <ToolbarButton label="Link" shortcut="Control+K" pressed={active?.link} disabled={disabled} onClick={openLinkForm}>
          Link
        </ToolbarButton>
        <span className="editor-toolbar-gap" aria-hidden="true" />
        <ToolbarButton label="Heading" pressed={!!active?.heading} disabled={disabled} onClick={run((c) => c.toggleHeading({ level: active?.heading ?? 2 }))}>
          H
        </ToolbarButton>
        <ToolbarButton label="Bullet list" pressed={active?.bulletList} disabled={disabled} onClick={run((c) => c.toggleBulletList())}>
          • List
        </ToolbarButton>
        <ToolbarButton label="Numbered list" pressed={active?.orderedList} disabled={disabled} onClick={run((c) => c.toggleOrderedList())}>
          1. List
        </ToolbarButton>
        <ToolbarButton label="Quote" pressed={active?.blockquote} disabled={disabled} onClick={run((c) => c.toggleBlockquote())}>
          “ ”
        </ToolbarButton>
        <ToolbarButton label="Code block" pressed={active?.codeBlock} disabled={disabled} onClick={run((c) => c.toggleCodeBlock())}>
          {"{ }"}
        </ToolbarButton>
        <ToolbarButton label="Divider" disabled={disabled} onClick={run((c) => c.setHorizontalRule())}>
          ―
        </ToolbarButton>
        <ToolbarButton label="Image" disabled={disabled || uploads > 0} onClick={() => fileInput.current?.click()}>
          Image
        </ToolbarButton>
        <input
          ref={fileInput}
          type="file"
          accept="image/*"
          multiple
          hidden
          onChange={(event) => {
            const files = imageFiles(event.target.files);
            event.target.value = "";
            if (files.length > 0) void uploadImages(files);
          }}
        />
      </div>

      {linkDraft ? (
        <form
          className="editor-panel"
          aria-label="Link"
          onSubmit={applyLink}
          onKeyDown={(event) => {
            if (event.key === "Escape") {
              event.preventDefault();
              closeLinkForm();
            }
          }}
        >
          <label htmlFor={ids.link}>Link address</label>
          <input
            id={ids.link}
            autoFocus
            type="text"
            inputMode="url"
            autoComplete="off"
            placeholder="https://…, mailto:… or ar://…"
            value={linkDraft.href}
            aria-invalid={!!linkDraft.problem}
            aria-describedby={linkDraft.problem ? ids.linkProblem : undefined}
            onChange={(event) => setLinkDraft({ href: event.target.value })}
          />
          <button type="submit">Apply</button>
          {active?.link ? (
            <button type="button" onClick={removeLink}>
              Remove
            </button>
          ) : null}
          <button type="button" onClick={closeLinkForm}>
            Cancel
          </button>
          {linkDraft.problem ? (
            <p id={ids.linkProblem} className="editor-problem" role="alert">
              {linkDraft.problem}
            </p>
          ) : null}
        </form>
      ) : null}

      {active?.heading ? (
        <div className="editor-panel">
          <label htmlFor={ids.level}>Heading level</label>
          <select
            id={ids.level}
            value={active.heading}
            onChange={(event) =>
              editor
                ?.chain()
                .setHeading({ level: Number(event.target.value) as HeadingLevel })
                .run()
            }
          >
            {HEADING_LEVELS.map((level) => (
              <option key={level} value={level}>
                {HEADING_NAMES[level]} (h{level})
              </option>
            ))}
          </select>
        </div>
      ) : null}

      {active?.codeBlock ? (
        <div className="editor-panel">
          <label htmlFor={ids.language}>Code language</label>
          <input id={ids.language} list={ids.languages} value={language} placeholder="plain text" aria-invalid={!!languageProblem} onChange={(event) => changeLanguage(event.target.value)} />
          <datalist id={ids.languages}>
            {LANGUAGE_SUGGESTIONS.map((language) => (
              <option key={language} value={language} />
            ))}
          </datalist>
          {languageProblem ? (
            <p className="editor-problem" role="alert">
              {languageProblem}
            </p>
          ) : null}
        </div>
      ) : null}

      {active?.image ? (
        <div className="editor-panel">
          <label htmlFor={ids.alt}>Image description</label>
          <input
            id={ids.alt}
            key={active.alt}
            defaultValue={active.alt}
            maxLength={MAX_LABEL_LENGTH}
            placeholder="What the image shows, for readers who cannot see it"
            onBlur={(event) =>
              editor
                ?.chain()
                .updateAttributes("image", { alt: event.target.value.trim() || null })
                .run()
            }
            onKeyDown={(event) => {
              if (event.key === "Enter") {
                event.preventDefault();
                event.currentTarget.blur();
              }
            }}
          />
        </div>
      ) : null}

      {uploads > 0 ? (
        <p className="editor-notice" role="status">
          Uploading {uploads === 1 ? "image" : `${uploads} images`}…
        </p>
      ) : null}
      {notice ? (
        <div className={`editor-notice editor-notice-${notice.kind}`} role={notice.kind === "error" ? "alert" : "status"} data-testid="editor-notice">
          <span>{notice.text}</span>
          <button type="button" className="link" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </div>
      ) : null}

      <EditorContent editor={editor} className="editor-content" />

      <p className="editor-stats muted" data-testid="word-count">
        {stats.words.toLocaleString("en")} {stats.words === 1 ? "word" : "words"} · {stats.readingMinutes} min read
      </p>
    </div>
  );
}
