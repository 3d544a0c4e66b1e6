import { data, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { requireWriter } from "~/modules/auth/session.server";
import { errorHeaders, UserError } from "~/modules/errors.server";
import { readForm } from "~/modules/forms.server";
import { assertSameOrigin } from "~/modules/http.server";
import { checkPublicationDomain, publicationDomain, setPublicationDomain } from "~/modules/publications/domains.server";
import { FORM_FIELDS } from "~/modules/body-limits";

export const meta: MetaFunction = () => [{ title: "Publication domain · Permanent Press" }];

export const bodyLimits = FORM_FIELDS;

/** A refused check says when to check again (Retry-After), on the page as in its message. */
export const headers: HeadersFunction = ({ actionHeaders }) => actionHeaders;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const writer = await requireWriter(request);
  try {
    return await publicationDomain(getDb(), getEnv(), writer, params.id ?? "");
  } catch (error) {
    if (error instanceof UserError) throw new Response(error.message, { status: error.status });
    throw error;
  }
}

const intentSchema = z.enum(["save", "check"], { error: "Send the host name form or the check button." }).default("save");

/** Saves a host name (it then waits for its TXT record), or checks the TXT record of the one waiting. */
export async function action({ request, params }: ActionFunctionArgs) {
  const writer = await requireWriter(request);
  const accountId = params.id ?? "";
  let value = "";
  try {
    assertSameOrigin(request);
    const form = await readForm(request);
    const intent = intentSchema.safeParse(form.get("intent") ?? undefined);
    if (!intent.success) throw new UserError(intent.error.issues[0]!.message);
    if (intent.data === "check") {
      const domain = await checkPublicationDomain(getDb(), getEnv(), writer, accountId);
      return { status: `Proved: the publication is served at ${domain} now.`, error: null, value };
    }
    value = String(form.get("domain") ?? "");
    await setPublicationDomain(getDb(), getEnv(), writer, accountId, value);
    return { status: "Saved.", error: null, value };
  } catch (error) {
    if (error instanceof UserError) return data({ status: null, error: error.message, value }, { status: error.status, headers: errorHeaders(error) });
    throw error;
  }
}

export default function PublicationDomain() {
  const { name, domain, origin, pending } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section>
      <h1>{name}: its own domain</h1>
      <p className="muted">
        {domain ? (
          <>
            Served at <a href={`${origin ?? ""}/`}>{domain}</a> as well as at the press.
          </>
        ) : (
          "Served at the press only."
        )}{" "}
        Point the domain at the press (a CNAME or A record), with a certificate from your proxy, and prove you hold it with a TXT record; see the operations guide.
      </p>
      {result?.error ? (
        <p role="alert" className="error">
          {result.error}
        </p>
      ) : null}
      {result?.status ? <p role="status">{result.status}</p> : null}
      {pending?.lost ? (
        <p role="alert" className="error">
          {pending.lost}
        </p>
      ) : pending?.record ? (
        <div className="stack" data-testid="pending-domain">
          <p>{`${pending.domain} waits for proof that you hold it${domain ? `; until then the publication stays at ${domain}` : ""}. Add this TXT record at your DNS provider, then check it:`}</p>
          <dl>
            <dt>Name</dt>
            <dd>
              <code>{pending.record.name}</code>
            </dd>
            <dt>Type</dt>
            <dd>
              <code>TXT</code>
            </dd>
            <dt>Value</dt>
            <dd>
              <code>{pending.record.value}</code>
            </dd>
          </dl>
          <Form method="post">
            <input type="hidden" name="intent" value="check" />
            <button type="submit">Check now</button>
          </Form>
        </div>
      ) : null}
      <Form method="post" className="stack">
        <input type="hidden" name="intent" value="save" />
        <label>
          Host name <span className="muted">(such as quarterly.example; leave empty to stop)</span>
          <input name="domain" maxLength={253} defaultValue={result?.value || pending?.domain || domain || ""} />
        </label>
        <button type="submit">Save</button>
      </Form>
    </section>
  );
}
