import type { ReactNode } from "react";
import { longDate } from "./dates";

/** A reply from the social web: who wrote it (to their profile) and when (to the reply where it lives). */
export function ResponseByline(props: { author: { name: string | null; handle: string; profileUrl: string | null }; url: string | null; publishedAt: string; children?: ReactNode }) {
  const { author, url, publishedAt } = props;
  const name = author.name ?? author.handle;
  const time = <time dateTime={publishedAt}>{longDate(publishedAt)}</time>;
  return (
    <p className="response-meta">
      {author.profileUrl ? (
        <a href={author.profileUrl} rel="nofollow ugc noopener">
          {name}
        </a>
      ) : (
        <span>{name}</span>
      )}{" "}
      <span className="muted">{author.handle}</span> ·{" "}
      {url ? (
        <a href={url} rel="nofollow ugc noopener">
          {time}
        </a>
      ) : (
        time
      )}
      {props.children}
    </p>
  );
}
