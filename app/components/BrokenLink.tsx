/** What a subscription link (confirm, unsubscribe, preferences) shows when it cannot be used. */
export function BrokenLink({ reason }: { reason: string | null | undefined }) {
  return (
    <section>
      <h1>This link does not work</h1>
      <p role="alert" className="error">
        {reason}
      </p>
    </section>
  );
}
