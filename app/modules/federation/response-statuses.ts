/**
 * What a writer has decided about a reply from the social web, shared with the responses page in
 * the browser (a value from a .server module is empty there). `pending`: waiting for the writer,
 * shown to no one else; `approved`: shown under the entry; `hidden`: shown to no one, kept so that
 * the same reply arriving again stays hidden.
 */
export type ResponseStatus = "pending" | "approved" | "hidden";
export const RESPONSE_STATUSES: ResponseStatus[] = ["pending", "approved", "hidden"];
