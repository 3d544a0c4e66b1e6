import type { MetaDescriptor } from "@remix-run/react";

/** The canonical link and the Open Graph and Twitter card tags of a page worth sharing. */
export function shareMeta(page: { title: string; description: string; url: string; type: "article" | "profile" | "website"; image?: string | null }): MetaDescriptor[] {
  return [
    { title: page.title },
    { name: "description", content: page.description },
    { tagName: "link", rel: "canonical", href: page.url },
    { property: "og:site_name", content: "Permanent Press" },
    { property: "og:title", content: page.title },
    { property: "og:description", content: page.description },
    { property: "og:url", content: page.url },
    { property: "og:type", content: page.type },
    ...(page.image ? [{ property: "og:image", content: page.image }] : []),
    { name: "twitter:card", content: page.image ? "summary_large_image" : "summary" },
    { name: "twitter:title", content: page.title },
    { name: "twitter:description", content: page.description },
    ...(page.image ? [{ name: "twitter:image", content: page.image }] : []),
  ];
}

/**
 * The Farcaster embed of a page: clients show `imageUrl` at 3:2 with a button that opens `url`;
 * fc:frame is what clients from before mini apps read.
 */
export function farcasterMeta(page: { imageUrl: string; url: string; button: string }): MetaDescriptor[] {
  const embed = (type: "launch_miniapp" | "launch_frame") =>
    JSON.stringify({ version: "1", imageUrl: page.imageUrl, button: { title: page.button, action: { type, url: page.url, name: "Permanent Press" } } });
  return [
    { name: "fc:miniapp", content: embed("launch_miniapp") },
    { name: "fc:frame", content: embed("launch_frame") },
  ];
}

/**
 * schema.org Article data for search engines and readers' tools: the essay's headline, writer,
 * first publication and latest version, card, and its permanent copy on Arweave. Remix writes it as
 * `application/ld+json`, HTML-escaped, which browsers never run.
 */
export function articleJsonLd(entry: {
  title: string;
  description: string;
  url: string;
  image: string;
  author: { name: string; url: string };
  firstPublishedAt: string;
  modifiedAt: string;
  arweaveUrl: string;
  words: number;
}): MetaDescriptor {
  return {
    "script:ld+json": {
      "@context": "https://schema.org",
      "@type": "Article",
      headline: entry.title,
      description: entry.description,
      url: entry.url,
      mainEntityOfPage: entry.url,
      image: entry.image,
      author: { "@type": "Person", name: entry.author.name, url: entry.author.url },
      publisher: { "@type": "Organization", name: "Permanent Press" },
      datePublished: entry.firstPublishedAt,
      dateModified: entry.modifiedAt,
      wordCount: entry.words,
      sameAs: entry.arweaveUrl,
    },
  };
}
