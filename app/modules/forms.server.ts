import {
  MaxPartSizeExceededError,
  unstable_composeUploadHandlers as composeUploadHandlers,
  unstable_createMemoryUploadHandler as createMemoryUploadHandler,
  unstable_parseMultipartFormData as parseMultipartFormData,
  type UploadHandler,
} from "@remix-run/node";
import { UserError } from "~/modules/errors.server";
import { readBody } from "~/modules/request-body.server";
import { decodeUtf8 } from "~/modules/text.server";

/**
 * Form data of a POST, multipart or not, read within the limits the route declares (its
 * `bodyLimits`): uploaded files are held in memory, never more than those limits. Text that is not
 * UTF-8 is refused (415) rather than decoded to U+FFFD replacement characters.
 */
export async function readForm(request: Request): Promise<FormData> {
  const bytes = await readBody(request);
  if (bytes.length === 0) return new FormData();
  const type = request.headers.get("content-type") ?? "";
  if (!type.startsWith("multipart/form-data")) return urlEncodedForm(bytes);
  const whole = new Request(request.url, { method: "POST", headers: { "content-type": type }, body: new Uint8Array(bytes) });
  try {
    return await parseMultipartFormData(whole, composeUploadHandlers(textFields(bytes.length), createMemoryUploadHandler({ maxPartSize: bytes.length })));
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError("The form could not be read: send it again from the page.");
  }
}

/**
 * The text fields of a multipart form, refused when they are not UTF-8 (Remix's own handler decodes
 * them to U+FFFD replacement characters, which would then be saved as they are). Files are left to
 * the next handler.
 */
function textFields(maxBytes: number): UploadHandler {
  return async ({ name, filename, data }) => {
    if (filename !== undefined) return undefined;
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of data) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new MaxPartSizeExceededError(name, maxBytes);
      chunks.push(chunk);
    }
    return decodeUtf8(Buffer.concat(chunks), `The field “${name}”`);
  };
}

/**
 * An application/x-www-form-urlencoded body, read as the URL standard reads it but refused when a
 * field is not UTF-8, where URLSearchParams would quietly put U+FFFD in its place.
 */
function urlEncodedForm(bytes: Uint8Array): FormData {
  const form = new FormData();
  for (const pair of decodeUtf8(bytes, "The form").split("&")) {
    if (pair === "") continue;
    const at = pair.includes("=") ? pair.indexOf("=") : pair.length;
    try {
      form.append(...([pair.slice(0, at), pair.slice(at + 1)].map((part) => decodeURIComponent(part.replace(/\+/g, " "))) as [string, string]));
    } catch {
      throw new UserError("The form is not UTF-8 text: a field holds bytes that are not UTF-8. Send it as UTF-8 and try again.", 415);
    }
  }
  return form;
}

/** An uploaded file's bytes and type, or undefined when the field was left empty. */
export async function fileField(form: FormData, name: string): Promise<{ bytes: Buffer; declaredType: string; name: string } | undefined> {
  const value = form.get(name);
  if (!value || typeof value === "string" || value.size === 0) return undefined;
  return { bytes: Buffer.from(await value.arrayBuffer()), declaredType: value.type, name: value.name };
}
