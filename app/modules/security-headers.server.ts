import type { PageNeeds } from "~/components/page-scripts";

/**
 * Every security header the press sends, in one place (decision 011). Pages get a policy that
 * allows exactly what they load; everything else (assets, feeds, images, JSON) may load nothing.
 */

/** Sent with every response. */
export const EVERY_RESPONSE: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
};

/** Sent with every response that is not a page (a page sends its own): it runs and loads nothing, in no frame. */
export const NOT_A_PAGE: Record<string, string> = {
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "X-Frame-Options": "DENY",
};

/**
 * The web clients of Farcaster, which open an entry in a frame when a reader taps its mini-app
 * embed (fc:miniapp). The phone apps use a web view, which frame-ancestors does not govern.
 */
const FARCASTER_CLIENTS = ["https://farcaster.xyz", "https://*.farcaster.xyz", "https://warpcast.com", "https://*.warpcast.com"];

/**
 * The security headers of a page. `nonce` is this response's, and present only on pages that run
 * the Remix client bundle: those are never kept in the page cache, while a reading page is kept
 * whole and served to many readers, so its policy names its scripts by URL instead.
 */
export function pageSecurityHeaders(needs: PageNeeds, opts: { nonce?: string; publicUrl: string; gatewayUrl: string }): Record<string, string> {
  const { nonce } = opts;
  const scripts = nonce ? ["'self'", `'nonce-${nonce}'`] : needs.pageScripts.map((src) => new URL(src, opts.publicUrl).href);
  // Tiptap injects its editor styles as a <style> element, which carries the nonce.
  const styles = ["'self'", ...(nonce ? [`'nonce-${nonce}'`] : []), ...(needs.inlineStyles ? ["'unsafe-inline'"] : [])];
  const policy = [
    "default-src 'none'",
    `script-src ${scripts.length > 0 ? scripts.join(" ") : "'none'"}`,
    `style-src ${styles.join(" ")}`,
    // Essays may show images from any https address; uploads live on the gateway; wallets' icons are data: URLs.
    `img-src 'self' data: https: ${new URL(opts.gatewayUrl).origin}`,
    // Scripts talk to the press only: wallets reach the chain themselves.
    `connect-src ${scripts.length > 0 ? "'self'" : "'none'"}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${needs.embeddable ? ["'self'", ...FARCASTER_CLIENTS].join(" ") : "'none'"}`,
  ].join("; ");
  // X-Frame-Options cannot name several sites: a page Farcaster may frame leaves it to frame-ancestors.
  return { "Content-Security-Policy": policy, ...(needs.embeddable ? {} : { "X-Frame-Options": "DENY" }) };
}
