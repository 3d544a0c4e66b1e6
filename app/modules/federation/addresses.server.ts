import { getAuthenticatedDocumentLoader } from "@fedify/fedify";
import { RemoteAddressError } from "./address-error.server";
import { getDocumentLoader, validatePublicUrl, type DocumentLoader, type DocumentLoaderFactoryOptions } from "@fedify/vocab-runtime";

/**
 * Where the press may send requests on behalf of the social web. Remote servers name URLs (actor,
 * key, inbox, avatar) and the press fetches or posts to them: every such URL must be http(s) on a
 * public address (no loopback, private, link-local or reserved ranges, also after DNS and after
 * every redirect), unless its origin is one of the configured test origins (another press on
 * loopback in a test).
 */
export class RemoteAddresses {
  private readonly testOrigins: Set<string>;

  constructor(testOrigins: readonly string[]) {
    this.testOrigins = new Set(testOrigins.map((origin) => new URL(origin).origin));
  }

  isTestOrigin(url: string | URL): boolean {
    if (!URL.canParse(String(url))) return false;
    return this.testOrigins.has(new URL(String(url)).origin);
  }

  /** The scheme of a configured test host named by `host:port`, for WebFinger over plain HTTP. */
  testOriginOfHost(host: string): string | undefined {
    for (const origin of this.testOrigins) if (new URL(origin).host === host.toLowerCase()) return origin;
    return undefined;
  }

  /** Throws unless the press may send a request to `url`. */
  async check(url: string | URL): Promise<void> {
    const href = String(url);
    if (!URL.canParse(href)) throw new RemoteAddressError(`Not a URL: ${href.slice(0, 200)}`);
    const parsed = new URL(href);
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new RemoteAddressError(`Only http and https URLs are fetched, not ${parsed.protocol}`);
    if (this.testOrigins.has(parsed.origin)) return;
    try {
      await validatePublicUrl(href);
    } catch (error) {
      throw new RemoteAddressError(`${parsed.host} is not a public address: ${(error as Error).message}`);
    }
  }

  /**
   * Fedify's document loaders, public addresses only, but for the test origins. A refused address
   * fails with a `RemoteAddressError`, so an inbox can tell it from a server that is down.
   */
  documentLoaderFactory = (options?: DocumentLoaderFactoryOptions): DocumentLoader => {
    const publicOnly = getDocumentLoader({ ...options, allowPrivateAddress: false });
    const tests = getDocumentLoader({ ...options, allowPrivateAddress: true, maxRedirection: 0 });
    return (url, loaderOptions) => (this.isTestOrigin(url) ? tests(url, loaderOptions) : refusing(url, publicOnly(url, loaderOptions)));
  };

  authenticatedDocumentLoaderFactory = (identity: { keyId: URL; privateKey: CryptoKey }, options?: DocumentLoaderFactoryOptions): DocumentLoader => {
    const publicOnly = getAuthenticatedDocumentLoader(identity, { ...options, allowPrivateAddress: false });
    const tests = getAuthenticatedDocumentLoader(identity, { ...options, allowPrivateAddress: true, maxRedirection: 0 } as DocumentLoaderFactoryOptions);
    return (url, loaderOptions) => (this.isTestOrigin(url) ? tests(url, loaderOptions) : refusing(url, publicOnly(url, loaderOptions)));
  };
}

/**
 * A load whose address Fedify refused (its `UrlError`, known by name: the CommonJS and ES module
 * builds of its runtime each have their own class) as a `RemoteAddressError`.
 */
async function refusing<T>(url: string, load: Promise<T>): Promise<T> {
  try {
    return await load;
  } catch (error) {
    if (error instanceof Error && error.name === "UrlError") throw new RemoteAddressError(`${URL.canParse(url) ? new URL(url).host : url.slice(0, 200)} is not a public address: ${error.message}`, { cause: error });
    throw error;
  }
}

export { RemoteAddressError };
