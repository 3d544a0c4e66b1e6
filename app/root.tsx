import type { HeadersFunction, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, isRouteErrorResponse, useMatches, useRouteError, useRouteLoaderData } from "@remix-run/react";
import { AccountNav } from "~/components/AccountNav";
import { DEV_WALLET_META } from "~/components/dev-wallet";
import { pageNeeds, useNonce } from "~/components/page-scripts";
import { getEnv } from "~/env.server";
import { getWriter } from "~/modules/auth/session.server";
import styles from "~/styles/app.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/** A response a loader throws keeps its headers (a 304's ETag and caching, a 404's content type). */
export const headers: HeadersFunction = ({ errorHeaders }) => errorHeaders ?? new Headers();

export async function loader({ request }: LoaderFunctionArgs) {
  const writer = await getWriter(request);
  // Where the development wallet relays to, on a press that offers it (app/components/dev-wallet.ts).
  return { writer: writer ? { handle: writer.handle } : null, devWalletRelay: getEnv().devChain ? "/dev/wallet" : null };
}

function SiteHeader() {
  const data = useRouteLoaderData<typeof loader>("root");
  const writer = data?.writer;
  return (
    <header className="site-header">
      <a href="/" className="brand">
        Permanent Press
      </a>
      <AccountNav reader={writer ? { handle: writer.handle } : null} />
    </header>
  );
}

export function Layout({ children }: { children: React.ReactNode }) {
  const needs = pageNeeds(useMatches());
  const nonce = useNonce();
  const devWalletRelay = useRouteLoaderData<typeof loader>("root")?.devWalletRelay;
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        {devWalletRelay ? <meta name={DEV_WALLET_META} content={devWalletRelay} /> : null}
        <Meta />
        <Links />
      </head>
      <body>
        <SiteHeader />
        <main>{children}</main>
        {needs.bundle ? (
          <>
            <ScrollRestoration nonce={nonce} />
            <Scripts nonce={nonce} />
          </>
        ) : (
          needs.pageScripts.map((src) => <script key={src} type="module" src={src} />)
        )}
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const title = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : "Something went wrong";
  const message = isRouteErrorResponse(error) ? (typeof error.data === "string" ? error.data : undefined) : undefined;
  return (
    <article className="error">
      <h1>{title}</h1>
      {message ? <p>{message}</p> : null}
      <p>
        <a href="/">Read the latest essays</a> on the front page.
      </p>
    </article>
  );
}
