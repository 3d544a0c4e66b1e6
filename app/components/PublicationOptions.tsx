/** The choices of a "Publish in" field: the writer's own page, then each publication they may write in. */
export function PublicationOptions({ publications, own }: { publications: ReadonlyArray<{ id: string; name: string }>; own: string }) {
  return (
    <>
      <option value="">{own}</option>
      {publications.map((publication) => (
        <option key={publication.id} value={publication.id}>
          {publication.name}
        </option>
      ))}
    </>
  );
}
