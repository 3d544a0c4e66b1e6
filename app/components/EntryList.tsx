import { longDate } from "./dates";

export interface ListedEntry {
  url: string;
  title: string;
  excerpt: string;
  byline: string;
  handle: string;
  publishedAt: string;
  readingMinutes: number;
  /** The publication the entry was published into, if any. */
  publication: { name: string; handle: string } | null;
}


/** Entries newest first, with links to the newer and older pages (`?page=`) as plain links; each in a publication says which. */
export function EntryList(props: { entries: ListedEntry[]; page: number; hasMore: boolean; showWriter: boolean; empty: string }) {
  if (props.entries.length === 0) return <p className="muted">{props.empty}</p>;
  return (
    <>
      <ol className="entry-list">
        {props.entries.map((entry) => (
          <li key={entry.url}>
            <h2>
              <a href={entry.url}>{entry.title}</a>
            </h2>
            <p className="muted">
              {props.showWriter ? (
                <>
                  <a href={`/${entry.handle}`}>{entry.byline}</a> ·{" "}
                </>
              ) : null}
              {entry.publication ? (
                <>
                  in <a href={`/${entry.publication.handle}`}>{entry.publication.name}</a> ·{" "}
                </>
              ) : null}
              <time dateTime={entry.publishedAt}>{longDate(entry.publishedAt)}</time> · {entry.readingMinutes} min read
            </p>
            <p>{entry.excerpt}</p>
          </li>
        ))}
      </ol>
      {props.page > 1 || props.hasMore ? (
        <nav className="pages" aria-label="Pages">
          {props.page > 1 ? <a href={props.page === 2 ? "?" : `?page=${props.page - 1}`}>Newer</a> : <span />}
          {props.hasMore ? <a href={`?page=${props.page + 1}`}>Older</a> : null}
        </nav>
      ) : null}
    </>
  );
}
