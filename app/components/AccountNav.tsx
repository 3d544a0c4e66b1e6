/** Who is reading, as the site header shows them: enough to draw their account links. */
export interface Reader {
  handle: string | null;
}

/**
 * The account links in the site header: "Sign in" for an anonymous reader, a signed-in reader's
 * own links and Sign out otherwise. It is the only part of a reading page that depends on who
 * reads it (but for a writer's own entry), so the web server serves a signed-in reader the page
 * kept for everyone with this part drawn for them (app/modules/reading/personal.server.ts): plain
 * markup, with no router state, so it renders the same inside the app and on its own.
 */
export function AccountNav({ reader }: { reader: Reader | null }) {
  return (
    <nav aria-label="Account">
      {reader ? (
        <>
          {reader.handle ? <a href={`/${reader.handle}`}>{`@${reader.handle}`}</a> : null}
          <a href="/following">Following</a>
          <a href="/drafts">Drafts</a>
          <a href="/settings/publications">Publications</a>
          <a href="/settings/responses">Responses</a>
          <a href="/settings/profile">Profile</a>
          <form method="post" action="/signout">
            <button type="submit" className="link">
              Sign out
            </button>
          </form>
        </>
      ) : (
        <a href="/signin">Sign in</a>
      )}
    </nav>
  );
}
