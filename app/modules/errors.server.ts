/** A request the user can fix: answered with its status and message, never a 500. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503 = 400,
  ) {
    super(message);
    this.name = "UserError";
  }
}

/** A part the press depends on, as `/healthz` names it. */
export type Dependency = "database" | "chain" | "storage" | "mail";

/**
 * A part the press depends on did not answer. Answered 503 with the part's name, so an outage is
 * never mistaken for the user's fault (a bad signature, a missing entry): they can only wait.
 */
export class DependencyUnavailable extends UserError {
  constructor(
    readonly dependency: Dependency,
    message: string,
  ) {
    super(message, 503);
    this.name = "DependencyUnavailable";
  }
}

/** A limit reached: the message says when the request can be made again, and so does Retry-After. */
export class TooManyRequests extends UserError {
  constructor(
    message: string,
    readonly retryAt: Date,
  ) {
    super(message, 429);
  }
}

/** A time of day as the messages above write it. */
export const utcTime = (date: Date) => `${date.toISOString().slice(11, 16)} UTC`;

/**
 * Headers for an error answer. A request refused as too large, or for a body it does not take, is
 * answered before its body is read, so the connection cannot carry another request and is closed.
 */
export function errorHeaders(error: UserError): Record<string, string> {
  if (error instanceof DependencyUnavailable) return { "retry-after": "30" };
  if (error instanceof TooManyRequests) return { "retry-after": String(Math.max(1, Math.ceil((error.retryAt.getTime() - Date.now()) / 1000))) };
  return error.status === 413 || error.status === 415 ? { connection: "close" } : {};
}
