import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { publicHeaders, stateEtag } from "~/modules/reading/cache.server";
import { feedState } from "~/modules/reading/distribution.server";
import { sitemap } from "~/modules/reading/feeds.server";
import { publicationSitemapUrls, sitemapUrls } from "~/modules/reading/listings.server";
import type { Site } from "~/modules/publications/domains.server";

/** Every writer page and every published entry, for search engines; on a publication's domain, its own. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  // It lists what the site's feeds follow (entries and writers), so it changes with their state.
  const headers = publicHeaders(request, stateEtag(["sitemap"], (await feedState(getDb()))!));
  const { publicUrl } = getEnv();
  const site = context.site as Site | undefined;
  const pages = site?.publication ? await publicationSitemapUrls(getDb(), publicUrl, site.publication.id) : await sitemapUrls(getDb(), publicUrl);
  // The front page changes when anything on the press does; crawlers skip it while it has not.
  const lastmod = pages.reduce((latest, page) => (page.lastmod > latest ? page.lastmod : latest), new Date(0));
  const urls = [{ loc: `${site?.origin ?? publicUrl}/`, lastmod: pages.length > 0 ? lastmod : new Date() }, ...pages];
  return new Response(sitemap(urls), { headers: { ...headers, "content-type": "application/xml; charset=utf-8" } });
}
