import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { requireWriter } from "~/modules/auth/session.server";
import { errorHeaders, UserError } from "~/modules/errors.server";
import { fileField, readForm } from "~/modules/forms.server";
import { assertSameOrigin } from "~/modules/http.server";
import { localPath } from "~/modules/redirects";
import { pendingImageUrls, uploadImage } from "~/modules/storage/uploads.server";
import { updateProfile } from "~/modules/writers/profile.server";
import { formWithFile, MAX_IMAGE_BYTES } from "~/modules/body-limits";

export const meta: MetaFunction = () => [{ title: "Your profile · Permanent Press" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const writer = await requireWriter(request);
  const env = getEnv();
  // An avatar the gateway does not serve yet is shown from the press's own copy.
  const pending = writer.avatarId ? await pendingImageUrls(getDb(), writer.id, [writer.avatarId]) : {};
  return {
    profile: { handle: writer.handle ?? "", displayName: writer.displayName ?? "", bio: writer.bio ?? "", address: writer.address, ensName: writer.ensName },
    avatarUrl: writer.avatarId ? (pending[writer.avatarId] ?? `${env.storage.gatewayUrl}/${writer.avatarId}`) : null,
  };
}

/** The profile's fields and an avatar image. */
export const bodyLimits = formWithFile(MAX_IMAGE_BYTES);

export async function action({ request }: ActionFunctionArgs) {
  const writer = await requireWriter(request);
  const values = { handle: "", displayName: "", bio: "" };
  try {
    assertSameOrigin(request);
    const form = await readForm(request);
    values.handle = String(form.get("handle") ?? "");
    values.displayName = String(form.get("displayName") ?? "");
    values.bio = String(form.get("bio") ?? "");
    const avatar = await fileField(form, "avatar");
    const db = getDb();
    const avatarId = avatar ? (await uploadImage(db, getEnv(), writer, avatar)).id : undefined;
    const updated = await updateProfile(db, writer.id, values, avatarId);
    return redirect(localPath(new URL(request.url).searchParams.get("next"), `/${updated.handle}`));
  } catch (error) {
    if (error instanceof UserError) return data({ error: error.message, values }, { status: error.status, headers: errorHeaders(error) });
    throw error;
  }
}

export default function ProfileSettings() {
  const { profile, avatarUrl } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const saving = useNavigation().state === "submitting";
  const values = result?.values ?? profile;
  return (
    <section>
      <h1>Your profile</h1>
      <p className="muted">
        Signed in as <code>{profile.address}</code>
        {profile.ensName ? ` (${profile.ensName})` : ""}.
      </p>
      {result?.error ? (
        <p role="alert" className="error">
          {result.error}
        </p>
      ) : null}
      <Form method="post" encType="multipart/form-data" className="stack">
        <label>
          Handle <span className="muted">(your address here: /handle)</span>
          <input name="handle" required minLength={3} maxLength={30} pattern="[a-zA-Z0-9](?:[a-zA-Z0-9\-]*[a-zA-Z0-9])?" defaultValue={values.handle} />
        </label>
        <label>
          Display name
          <input name="displayName" maxLength={80} defaultValue={values.displayName} />
        </label>
        <label>
          Bio
          <textarea name="bio" maxLength={500} rows={4} defaultValue={values.bio} />
        </label>
        <label>
          Avatar <span className="muted">(PNG, JPEG, GIF, WebP or AVIF, up to 5 MB; stored on Arweave)</span>
          {avatarUrl ? <img src={avatarUrl} alt="Your avatar" width={64} height={64} className="avatar" /> : null}
          <input type="file" name="avatar" accept="image/png,image/jpeg,image/gif,image/webp,image/avif" />
        </label>
        <button type="submit" disabled={saving}>
          {saving ? "Saving…" : "Save profile"}
        </button>
      </Form>
    </section>
  );
}
