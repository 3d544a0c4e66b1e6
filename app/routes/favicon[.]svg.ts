/** The press's icon in a browser tab: its initial on the accent colour. Without one, browsers ask for /favicon.ico and log its 404 on every site visit. */
const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#3b4ad8"/>' +
  '<text x="16" y="23" font-family="Georgia, serif" font-size="20" font-weight="700" text-anchor="middle" fill="#fffefb">P</text></svg>';

export const loader = () => new Response(ICON, { headers: { "content-type": "image/svg+xml", "cache-control": "public, max-age=86400" } });
