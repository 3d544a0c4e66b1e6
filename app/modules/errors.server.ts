/** A request the user can fix: answered with its status and message, never a 500. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 = 400,
  ) {
    super(message);
    this.name = "UserError";
  }
}

/**
 * Headers for an error answer. A request refused as too large, or for a body it does not take, is
 * answered before its body is read, so the connection cannot carry another request and is closed.
 */
export function errorHeaders(error: UserError): Record<string, string> {
  return error.status === 413 || error.status === 415 ? { connection: "close" } : {};
}
