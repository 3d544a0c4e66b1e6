import type { MetaFunction } from "@remix-run/node";

export const meta: MetaFunction = () => [
  { title: "Permanent Press" },
  { name: "description", content: "Essays that live forever on Arweave, signed by their writers, collected as editions." },
];

export default function Home() {
  return (
    <article>
      <h1>Writing that outlives its platform</h1>
      <p>
        Every essay published here is signed by its writer&apos;s wallet and stored permanently on Arweave. Readers collect
        essays as editions on an Ethereum L2 and subscribe by email or by wallet.
      </p>
    </article>
  );
}
