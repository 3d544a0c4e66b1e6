import {
  MaxPartSizeExceededError,
  unstable_createMemoryUploadHandler as createMemoryUploadHandler,
  unstable_parseMultipartFormData as parseMultipartFormData,
} from "@remix-run/node";
import { UserError } from "~/modules/errors.server";

/** Form data of a POST, multipart or not, with uploaded files held in memory up to `maxFileBytes`. */
export async function readForm(request: Request, maxFileBytes: number): Promise<FormData> {
  const type = request.headers.get("content-type") ?? "";
  if (type === "") return new FormData();
  if (!type.startsWith("multipart/form-data")) return request.formData();
  try {
    return await parseMultipartFormData(request, createMemoryUploadHandler({ maxPartSize: maxFileBytes }));
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError) {
      throw new UserError(`Files can be at most ${(maxFileBytes / 1024 / 1024).toFixed(0)} MB.`, 413);
    }
    throw error;
  }
}

/** An uploaded file's bytes and type, or undefined when the field was left empty. */
export async function fileField(form: FormData, name: string): Promise<{ bytes: Buffer; declaredType: string; name: string } | undefined> {
  const value = form.get(name);
  if (!value || typeof value === "string" || value.size === 0) return undefined;
  return { bytes: Buffer.from(await value.arrayBuffer()), declaredType: value.type, name: value.name };
}
