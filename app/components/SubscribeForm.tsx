/**
 * Subscribing to a writer, as plain HTML forms that work without JavaScript: an email address
 * (double opt-in), or following with the signed-in wallet (`wallet`, on by default). Both post to
 * /subscribe/<handle>, which answers with a page of its own. `publication`: the handle is a
 * publication's, whose essays are written by several writers. Nothing in it depends on who is
 * looking, so pages that show it can be cached for everyone.
 */
export function SubscribeForm({ handle, writerName, wallet = true, publication = false }: { handle: string; writerName: string; wallet?: boolean; publication?: boolean }) {
  return (
    <section className="subscribe" aria-label={`Subscribe to ${writerName}`}>
      <form method="post" action={`/subscribe/${handle}`} className="subscribe-form">
        <input type="hidden" name="intent" value="email" />
        <label>
          New essays {publication ? "in" : "by"} {writerName}, in your inbox
          <span className="subscribe-row">
            <input type="email" name="email" required maxLength={254} autoComplete="email" placeholder="you@example.com" />
            <button type="submit">Subscribe</button>
          </span>
        </label>
        {/* A field people never see: form robots fill it in, and are then ignored. */}
        <div className="hp" aria-hidden="true">
          <label>
            Leave this empty
            <input name="website" tabIndex={-1} autoComplete="off" />
          </label>
        </div>
      </form>
      {wallet ? (
        <form method="post" action={`/subscribe/${handle}`}>
          <input type="hidden" name="intent" value="follow" />
          <button type="submit" className="link">
            Or follow with your wallet
          </button>
        </form>
      ) : null}
    </section>
  );
}
