import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { sitemap } from "~/modules/reading/feeds.server";
import { sitemapUrls } from "~/modules/reading/listings.server";

/** Every writer page and every published entry, for search engines. */
export async function loader() {
  const { publicUrl } = getEnv();
  const pages = await sitemapUrls(getDb(), publicUrl);
  // The front page changes when anything on the press does; crawlers skip it while it has not.
  const lastmod = pages.reduce((latest, page) => (page.lastmod > latest ? page.lastmod : latest), new Date(0));
  const urls = [{ loc: `${publicUrl}/`, lastmod: pages.length > 0 ? lastmod : new Date() }, ...pages];
  return new Response(sitemap(urls), { headers: { "content-type": "application/xml; charset=utf-8", "cache-control": "public, max-age=3600" } });
}
