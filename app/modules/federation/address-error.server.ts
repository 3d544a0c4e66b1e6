/** A URL the press refused to send a request to: not http(s), or not on a public address. */
export class RemoteAddressError extends Error {
  override name = "RemoteAddressError";
}
