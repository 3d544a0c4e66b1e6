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
