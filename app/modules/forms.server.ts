import { UserError } from "~/modules/errors.server";
import { readBody } from "~/modules/request-body.server";

/**
 * Form data of a POST, multipart or not, read within the limits the route declares (its
 * `bodyLimits`): uploaded files are held in memory, never more than those limits.
 */
export async function readForm(request: Request): Promise<FormData> {
  const bytes = await readBody(request);
  if (bytes.length === 0) return new FormData();
  try {
    return await new Request(request.url, { method: "POST", headers: { "content-type": request.headers.get("content-type") ?? "" }, body: new Uint8Array(bytes) }).formData();
  } catch {
    throw new UserError("The form could not be read: send it again from the page.");
  }
}

/** An uploaded file's bytes and type, or undefined when the field was left empty. */
export async function fileField(form: FormData, name: string): Promise<{ bytes: Buffer; declaredType: string; name: string } | undefined> {
  const value = form.get(name);
  if (!value || typeof value === "string" || value.size === 0) return undefined;
  return { bytes: Buffer.from(await value.arrayBuffer()), declaredType: value.type, name: value.name };
}
