import { redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { SignIn } from "~/components/SignIn";
import { getEnv } from "~/env.server";
import { getWriter } from "~/modules/auth/session.server";
import { devWriters as writersOfDevChain } from "~/modules/dev/accounts.server";
import { walletChain } from "~/modules/editions/chain.server";
import { localPath } from "~/modules/redirects";

export const meta: MetaFunction = () => [{ title: "Sign in · Permanent Press" }];

export async function loader({ request }: LoaderFunctionArgs) {
  // Only local paths: a sign-in link can never send someone to another site.
  const next = localPath(new URL(request.url).searchParams.get("next"), "/drafts");
  if (await getWriter(request)) throw redirect(next);
  const env = getEnv();
  // On the local stack, the demo's writers can sign in with no wallet extension at all.
  const developmentWriters = env.devChain ? (await writersOfDevChain(env)).map(({ name, address }) => ({ name, address })) : [];
  return { chain: walletChain(env), next, devWriters: developmentWriters };
}

export default function SignInPage() {
  const { chain, next, devWriters } = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>Sign in</h1>
      <p>Your wallet is your account: what you publish is signed by it and belongs to it.</p>
      <noscript>
        <p className="notice">Signing in needs JavaScript and a wallet extension. Reading works without either.</p>
      </noscript>
      <SignIn chain={chain} next={next} devWriters={devWriters} />
    </section>
  );
}
