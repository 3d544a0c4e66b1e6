/**
 * How much each kind of request body an action takes, declared by a route as
 * `export const bodyLimits` and enforced by the web server (request-body.server.ts). Plain values
 * the browser build may load: a route module's top-level declarations run in the browser too.
 */
const KB = 1024;
const MB = 1024 * KB;

/** The most a form of fields (no file) may send: each field's own limit, percent-encoded, fits many times over. */
export const FORM_BYTES = 16 * KB;

/** The largest image a writer may upload (essay images, avatars). */
export const MAX_IMAGE_BYTES = 5 * MB;

/** The largest essay document (Tiptap JSON) a draft may hold. */
export const MAX_DOCUMENT_BYTES = 2 * MB;

export type BodyKind = "json" | "urlencoded" | "multipart" | "text";

/**
 * What an action reads: for each kind of body it takes, the most bytes it reads. A kind it does not
 * list is refused with 415, and a route with an action but no declaration takes no body at all.
 */
export type BodyLimits = Partial<Record<BodyKind, number>>;

/** A form of fields only, as browsers send it with or without `encType="multipart/form-data"`. */
export const FORM_FIELDS: BodyLimits = { urlencoded: FORM_BYTES, multipart: FORM_BYTES };

/** A form that may carry one file of at most `fileBytes`, besides its fields. */
export const formWithFile = (fileBytes: number): BodyLimits => ({ urlencoded: FORM_BYTES, multipart: fileBytes + FORM_BYTES });

/** The longest reply to a post on the social web, in characters. */
export const MAX_REPLY_CHARS = 5000;

/**
 * A form that may carry a reply: a character takes at most 4 bytes of UTF-8, 12 once
 * percent-encoded, besides the other fields.
 */
export const REPLY_FORM: BodyLimits = { urlencoded: MAX_REPLY_CHARS * 12 + FORM_BYTES, multipart: MAX_REPLY_CHARS * 4 + FORM_BYTES };
