import { getEnv } from "~/env.server";

/** Everything public may be crawled; the writer's own pages and the local tools may not. */
export function loader() {
  const body = ["User-agent: *", "Allow: /", "Disallow: /drafts", "Disallow: /settings", "Disallow: /dev", "Disallow: /auth", "", `Sitemap: ${getEnv().publicUrl}/sitemap.xml`, ""].join("\n");
  return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "public, max-age=86400" } });
}
