import type { LoaderFunctionArgs } from "@remix-run/node";
import { getEnv } from "~/env.server";
import type { Site } from "~/modules/publications/domains.server";

/**
 * Everything public may be crawled; the writer's own pages and the local tools may not. A
 * publication's domain names its own sitemap.
 */
export function loader({ context }: LoaderFunctionArgs) {
  const origin = (context.site as Site | undefined)?.origin ?? getEnv().publicUrl;
  const body = ["User-agent: *", "Allow: /", "Disallow: /drafts", "Disallow: /settings", "Disallow: /dev", "Disallow: /auth", "", `Sitemap: ${origin}/sitemap.xml`, ""].join("\n");
  return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "public, max-age=86400" } });
}
