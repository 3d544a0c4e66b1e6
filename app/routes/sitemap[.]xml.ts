import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { sitemap } from "~/modules/reading/feeds.server";
import { sitemapUrls } from "~/modules/reading/listings.server";

/** Every writer page and every published entry, for search engines. */
export async function loader() {
  const { publicUrl } = getEnv();
  const urls = [{ loc: `${publicUrl}/`, lastmod: new Date() }, ...(await sitemapUrls(getDb(), publicUrl))];
  return new Response(sitemap(urls), { headers: { "content-type": "application/xml; charset=utf-8", "cache-control": "public, max-age=3600" } });
}
