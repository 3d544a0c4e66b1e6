import { createContext, useContext } from "react";

/**
 * What a route's page needs beyond plain HTML, declared in its `handle`. The root layout renders
 * from it and the server entry derives the page's Content-Security-Policy from the same answer, so
 * a page is allowed exactly what it loads.
 */
export interface PageHandle {
  /**
   * Whether the page runs the Remix client bundle: reading pages are plain HTML that need no
   * JavaScript, so they load none. A flag, or decided from the route's loader data.
   */
  scripts?: boolean | ((data: unknown) => boolean);
  /** Hand-written scripts (app/page-scripts) the page loads instead, by URL, from the route's loader data. */
  pageScripts?: (data: unknown) => string[];
  /** Farcaster's web clients show the page in a frame: its mini-app embed opens it there. */
  embeddable?: boolean;
  /** The page shows HTML that is styled inline (a captured mail message, in a sandboxed frame). */
  inlineStyles?: boolean;
}

/** A matched route as both the layout (useMatches) and the server entry (its render context) see it. */
export interface PageMatch {
  handle?: unknown;
  data?: unknown;
}

export interface PageNeeds {
  /** The Remix client bundle: yes unless some matched route says no. */
  bundle: boolean;
  pageScripts: string[];
  embeddable: boolean;
  inlineStyles: boolean;
}

export function pageNeeds(matches: PageMatch[]): PageNeeds {
  const handles = matches.map((match) => ({ handle: (match.handle ?? {}) as PageHandle, data: match.data }));
  return {
    bundle: handles.every(({ handle, data }) => (typeof handle.scripts === "function" ? handle.scripts(data) : handle.scripts !== false)),
    pageScripts: handles.flatMap(({ handle, data }) => (data === undefined ? [] : (handle.pageScripts?.(data) ?? []))),
    embeddable: handles.some(({ handle }) => handle.embeddable === true),
    inlineStyles: handles.some(({ handle }) => handle.inlineStyles === true),
  };
}

/** The nonce of this response's inline scripts and styles, given by the server entry while it renders. */
export const NonceContext = createContext<string | undefined>(undefined);

/**
 * The page's nonce: from the server entry while rendering, and in the browser from the page's own
 * scripts (browsers hide the attribute from the markup but keep the `nonce` property), so what
 * the client renders or injects (Tiptap's style element) carries the nonce the policy names.
 */
export function useNonce(): string | undefined {
  const rendered = useContext(NonceContext);
  if (rendered !== undefined || typeof document === "undefined") return rendered;
  return document.querySelector<HTMLScriptElement>("script[nonce]")?.nonce || undefined;
}
