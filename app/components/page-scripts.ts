import type { UIMatch } from "@remix-run/react";

/**
 * A route's `handle` may turn the Remix client bundle off: reading pages are plain HTML that need
 * no JavaScript, so they load none. `scripts` is a flag or decided from the route's loader data.
 */
export interface PageHandle {
  scripts?: boolean | ((data: unknown) => boolean);
}

/** Whether the page loads the client bundle: yes unless some matched route says no. */
export function pageWantsScripts(matches: UIMatch[]): boolean {
  return matches.every((match) => {
    const scripts = (match.handle as PageHandle | undefined)?.scripts;
    return typeof scripts === "function" ? scripts(match.data) : scripts !== false;
  });
}
