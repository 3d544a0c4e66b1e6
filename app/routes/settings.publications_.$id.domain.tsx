import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { requireWriter } from "~/modules/auth/session.server";
import { errorHeaders, UserError } from "~/modules/errors.server";
import { readForm } from "~/modules/forms.server";
import { assertSameOrigin } from "~/modules/http.server";
import { publicationDomain, setPublicationDomain } from "~/modules/publications/domains.server";
import { FORM_FIELDS } from "~/modules/body-limits";

export const meta: MetaFunction = () => [{ title: "Publication domain · Permanent Press" }];

export const bodyLimits = FORM_FIELDS;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const writer = await requireWriter(request);
  try {
    return await publicationDomain(getDb(), getEnv(), writer, params.id ?? "");
  } catch (error) {
    if (error instanceof UserError) throw new Response(error.message, { status: error.status });
    throw error;
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const writer = await requireWriter(request);
  let value = "";
  try {
    assertSameOrigin(request);
    value = String((await readForm(request)).get("domain") ?? "");
    const domain = await setPublicationDomain(getDb(), getEnv(), writer, params.id ?? "", value);
    return { saved: true as const, domain, error: null, value };
  } catch (error) {
    if (error instanceof UserError) return data({ saved: false as const, domain: null, error: error.message, value }, { status: error.status, headers: errorHeaders(error) });
    throw error;
  }
}

export default function PublicationDomain() {
  const current = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const domain = result?.saved ? result.domain : current.domain;
  return (
    <section>
      <h1>{current.name}: its own domain</h1>
      <p className="muted">
        {domain ? (
          <>
            Served at <a href={`${current.origin ?? ""}/`}>{domain}</a> as well as at the press.
          </>
        ) : (
          "Served at the press only."
        )}{" "}
        Point the domain at the press first (a CNAME or A record), with a certificate from your proxy; see the operations guide.
      </p>
      {result?.error ? (
        <p role="alert" className="error">
          {result.error}
        </p>
      ) : null}
      {result?.saved ? <p role="status">Saved.</p> : null}
      <Form method="post" className="stack">
        <label>
          Host name <span className="muted">(such as quarterly.example; leave empty to stop)</span>
          <input name="domain" maxLength={253} defaultValue={result?.value ?? domain ?? ""} />
        </label>
        <button type="submit">Save</button>
      </Form>
    </section>
  );
}
