import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { GrantForm, RevokeButton } from "~/components/MembershipForm";
import { PublicationRecordForm } from "~/components/PublicationRecordForm";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { requireWriter } from "~/modules/auth/session.server";
import { formWithFile, MAX_IMAGE_BYTES } from "~/modules/body-limits";
import { errorHeaders, UserError } from "~/modules/errors.server";
import { fileField, readForm } from "~/modules/forms.server";
import { assertSameOrigin } from "~/modules/http.server";
import { publicationSettings, updatePayouts, updatePublicationImages } from "~/modules/publications/manage.server";
import { PAYOUTS } from "~/modules/publications/records";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.publication.name || "Publication"} · Settings · Permanent Press` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const writer = await requireWriter(request);
  try {
    return { address: writer.address, ...(await publicationSettings(getDb(), getEnv(), writer, params.id ?? "")) };
  } catch (error) {
    if (error instanceof UserError) throw new Response(error.message, { status: error.status });
    throw error;
  }
}

/** An avatar and a cover image at most, besides the fields. */
export const bodyLimits = formWithFile(2 * MAX_IMAGE_BYTES);

const intentSchema = z.enum(["images", "payouts"], { error: "Send the images form or the payouts form." });

/** The images form (avatar, cover) and the payouts form; the signed record and members have their own routes. */
export async function action({ request, params }: ActionFunctionArgs) {
  const writer = await requireWriter(request);
  const accountId = params.id ?? "";
  try {
    assertSameOrigin(request);
    const form = await readForm(request);
    const intent = intentSchema.safeParse(form.get("intent"));
    if (!intent.success) throw new UserError(intent.error.issues[0]!.message);
    const db = getDb();
    if (intent.data === "images") {
      await updatePublicationImages(db, getEnv(), writer, accountId, { avatar: await fileField(form, "avatar"), cover: await fileField(form, "cover") });
    } else {
      await updatePayouts(db, writer, accountId, { payout: form.get("payout"), splitBps: form.get("splitBps"), payoutAddress: form.get("payoutAddress") ?? "" });
    }
    return redirect(`/settings/publications/${accountId}`, 303);
  } catch (error) {
    if (error instanceof UserError) return data({ error: error.message }, { status: error.status, headers: errorHeaders(error) });
    throw error;
  }
}

/** Basis points as a percentage without trailing zeros: 2500 is "25%", 1250 "12.5%". */
const splitPercent = (bps: number) => `${(bps / 100).toFixed(2).replace(/\.?0+$/, "")}%`;

export default function PublicationSettings() {
  const { address, role, may, publication, members } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const saving = useNavigation().state === "submitting";
  return (
    <section className="publication-settings">
      {publication.coverUrl ? <img src={publication.coverUrl} alt="The publication’s cover" className="cover" /> : null}
      <div className="writer-header">
        {publication.avatarUrl ? <img src={publication.avatarUrl} alt="The publication’s avatar" width={64} height={64} className="avatar" /> : null}
        <h1>{publication.name || publication.handle}</h1>
      </div>
      <p className="muted">
        <a href={`/${publication.handle}`}>@{publication.handle}</a> · you are its {role}. Publication id <code>{publication.id}</code>, owned by{" "}
        <code>{publication.owner}</code>.
      </p>
      {result?.error ? (
        <p role="alert" className="error">
          {result.error}
        </p>
      ) : null}

      <h2>Members</h2>
      <table className="members">
        <caption className="muted">Each role is a record the owner’s wallet signed, stored on Arweave.</caption>
        <thead>
          <tr>
            <th scope="col">Wallet</th>
            <th scope="col">Role</th>
            <th scope="col">Since</th>
            {may.manageMembers ? <th scope="col">Change</th> : null}
          </tr>
        </thead>
        <tbody>
          {members.map((member) => (
            <tr key={member.address}>
              <td>
                <code>{member.address}</code>
              </td>
              <td>{member.role}</td>
              <td>{member.from === null ? "always" : <time dateTime={new Date(member.from * 1000).toISOString()}>{new Date(member.from * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC</time>}</td>
              {may.manageMembers ? <td>{member.role === "owner" ? null : <RevokeButton accountId={publication.accountId} owner={address} member={member.address} />}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
      {may.manageMembers ? (
        <>
          <h3>Grant a role</h3>
          <GrantForm accountId={publication.accountId} owner={address} />
        </>
      ) : null}

      {may.manageProfile ? (
        <>
          <h2>Name and description</h2>
          <p className="muted">Saving signs a new record of the publication with your wallet.</p>
          <PublicationRecordForm address={address} publication={publication} />

          <h2>Images</h2>
          <Form method="post" encType="multipart/form-data" className="stack">
            <input type="hidden" name="intent" value="images" />
            <label>
              Avatar <span className="muted">(PNG, JPEG, GIF, WebP or AVIF, up to 5 MB; stored on Arweave)</span>
              <input type="file" name="avatar" accept="image/png,image/jpeg,image/gif,image/webp,image/avif" />
            </label>
            <label>
              Cover <span className="muted">(a wide image for the publication’s page, up to 5 MB)</span>
              <input type="file" name="cover" accept="image/png,image/jpeg,image/gif,image/webp,image/avif" />
            </label>
            <button type="submit" disabled={saving}>
              Upload images
            </button>
          </Form>
        </>
      ) : null}

      {may.managePayouts ? (
        <>
          <h2>Payouts</h2>
          <p className="muted">Who the sales of editions of the publication’s entries pay. Now: {publication.payout === "split" ? `split, ${splitPercent(publication.splitBps)} to the publication` : publication.payout}.</p>
          <Form method="post" className="stack">
            <input type="hidden" name="intent" value="payouts" />
            <fieldset>
              <legend>Editions pay</legend>
              {PAYOUTS.map((payout) => (
                <label key={payout}>
                  <input type="radio" name="payout" value={payout} defaultChecked={publication.payout === payout} />{" "}
                  {payout === "writer" ? "the entry’s writer" : payout === "publication" ? "the publication" : "both, split"}
                </label>
              ))}
            </fieldset>
            <label>
              The publication’s share when split, in basis points <span className="muted">(0 to 10000; 5000 is half)</span>
              <input name="splitBps" type="number" min={0} max={10000} step={1} required defaultValue={publication.splitBps} />
            </label>
            <label>
              The publication’s payout address <span className="muted">(empty for the owner’s wallet)</span>
              <input name="payoutAddress" pattern="0x[0-9a-fA-F]{40}" defaultValue={publication.payoutAddress} autoComplete="off" spellCheck={false} />
            </label>
            <button type="submit" disabled={saving}>
              Save payouts
            </button>
          </Form>
        </>
      ) : null}
    </section>
  );
}
