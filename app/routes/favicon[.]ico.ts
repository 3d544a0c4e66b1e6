/**
 * Browsers ask for /favicon.ico on their own, whatever the page links. Every browser that follows a
 * redirect here also shows SVG icons, so one permanent redirect serves them the same icon, with no
 * second copy of it to keep in step.
 */
export const loader = () => new Response(null, { status: 301, headers: { location: "/favicon.svg", "cache-control": "public, max-age=31536000, immutable" } });
