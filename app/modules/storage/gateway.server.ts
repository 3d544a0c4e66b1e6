import { DependencyUnavailable } from "~/modules/errors.server";
import type { Tag } from "./data-item.server";

/** The gateway did not answer, or answered with a failure: an outage, reported as one (503). */
export class GatewayError extends DependencyUnavailable {
  constructor(detail: string) {
    super("storage", `The Arweave gateway cannot be reached right now (${detail}). Try again in a minute.`);
    this.name = "GatewayError";
  }
}

/** `fetch` from the gateway, with a refused or timed-out connection reported as a GatewayError. */
function fromGateway(url: URL, init: RequestInit): Promise<Response> {
  return fetch(url, init).catch((error: Error) => {
    throw new GatewayError(`${url.host}: ${error.name === "TimeoutError" ? "no answer in time" : "connection failed"}`);
  });
}

/** The bytes stored under an Arweave id, or undefined when the gateway does not have them (yet). */
export async function fetchData(id: string, gatewayUrl: string): Promise<Buffer | undefined> {
  const response = await fromGateway(new URL(`/${id}`, gatewayUrl), { signal: AbortSignal.timeout(30_000) });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new GatewayError(`the gateway answered ${response.status} for ${id}`);
  return Buffer.from(await response.arrayBuffer());
}

export interface FoundTransaction {
  id: string;
  owner: string;
  tags: Tag[];
  blockHeight: number | null;
}

const QUERY = `query Find($tags: [TagFilter!], $owners: [String!], $first: Int, $after: String) {
  transactions(tags: $tags, owners: $owners, first: $first, after: $after, sort: HEIGHT_DESC) {
    pageInfo { hasNextPage }
    edges { cursor node { id owner { address } tags { name value } block { height } } }
  }
}`;

/** Every transaction or data item carrying all of `tags`, newest first, through the gateway's GraphQL. */
export async function findByTags(tags: Array<{ name: string; values: string[] }>, gatewayUrl: string, opts: { owners?: string[]; pageSize?: number } = {}): Promise<FoundTransaction[]> {
  const found: FoundTransaction[] = [];
  let after: string | undefined;
  for (;;) {
    const response = await fromGateway(new URL("/graphql", gatewayUrl), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: QUERY, variables: { tags, owners: opts.owners, first: opts.pageSize ?? 100, after } }),
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) throw new GatewayError(`the gateway's GraphQL answered ${response.status}`);
    const body = (await response.json()) as {
      errors?: Array<{ message: string }>;
      data?: {
        transactions: {
          pageInfo: { hasNextPage: boolean };
          edges: Array<{ cursor: string; node: { id: string; owner: { address: string }; tags: Tag[]; block: { height: number } | null } }>;
        };
      };
    };
    if (body.errors?.length || !body.data) throw new GatewayError(`the gateway's GraphQL failed: ${body.errors?.map((e) => e.message).join("; ")}`);
    const { edges, pageInfo } = body.data.transactions;
    for (const { node } of edges) {
      found.push({ id: node.id, owner: node.owner.address, tags: node.tags, blockHeight: node.block?.height ?? null });
    }
    if (!pageInfo.hasNextPage || edges.length === 0) return found;
    after = edges[edges.length - 1]!.cursor;
  }
}
