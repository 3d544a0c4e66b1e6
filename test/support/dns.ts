import dgram from "node:dgram";

/**
 * A tiny authoritative DNS server for tests, on UDP at 127.0.0.1: it answers TXT queries from a
 * table the test changes as it goes (as an owner edits their DNS zone). A name not in the table is
 * NXDOMAIN; a name mapped to "servfail" gets SERVFAIL, as a broken upstream answers; any other query
 * type for a known name gets no records. The packets (RFC 1035) are small enough to write by hand.
 */

export type TxtTable = Map<string, string[] | "servfail">;

export interface DnsServer {
  /** As DNS_SERVERS takes it: 127.0.0.1:<port>. */
  address: string;
  port: number;
  stop(): Promise<void>;
}

const TYPE_TXT = 16;
const CLASS_IN = 1;
const RCODE = { ok: 0, servfail: 2, nxdomain: 3 } as const;

/** The question's name (lower-case, no final dot) and where the question section ends. */
export function readQuestion(query: Buffer): { name: string; type: number; end: number } {
  const labels: string[] = [];
  let at = 12;
  for (let length = query[at]!; length !== 0; length = query[at]!) {
    labels.push(query.toString("latin1", at + 1, at + 1 + length));
    at += 1 + length;
  }
  at += 1;
  return { name: labels.join(".").toLowerCase(), type: query.readUInt16BE(at), end: at + 4 };
}

/** One TXT record's data: each value as character-strings of at most 255 bytes. */
function txtData(value: string): Buffer {
  const bytes = Buffer.from(value, "utf8");
  const chunks: Buffer[] = [];
  for (let at = 0; at === 0 || at < bytes.length; at += 255) chunks.push(bytes.subarray(at, at + 255));
  return Buffer.concat(chunks.flatMap((chunk) => [Buffer.from([chunk.length]), chunk]));
}

/** The answer to a query, by the table. */
export function answer(query: Buffer, table: TxtTable): Buffer {
  const question = readQuestion(query);
  const found = table.get(question.name);
  const rcode = found === undefined ? RCODE.nxdomain : found === "servfail" ? RCODE.servfail : RCODE.ok;
  const values = Array.isArray(found) && question.type === TYPE_TXT ? found : [];
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // the id
  // QR (a response), the query's opcode and RD, AA (authoritative), RA, and the rcode.
  header.writeUInt16BE(0x8000 | (query.readUInt16BE(2) & 0x7900) | 0x0400 | 0x0080 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(values.length, 6);
  const records = values.map((value) => {
    const data = txtData(value);
    const record = Buffer.alloc(12);
    record.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    record.writeUInt16BE(TYPE_TXT, 2);
    record.writeUInt16BE(CLASS_IN, 4);
    record.writeUInt32BE(0, 6); // TTL 0: nothing cached between checks
    record.writeUInt16BE(data.length, 10);
    return Buffer.concat([record, data]);
  });
  return Buffer.concat([header, query.subarray(12, question.end), ...records]);
}

/** Starts the server on `port` (a free one unless given: a test restarts it where it was). */
export async function startDnsServer(table: TxtTable, port = 0): Promise<DnsServer> {
  const socket = dgram.createSocket("udp4");
  socket.on("message", (query, peer) => {
    let reply: Buffer;
    try {
      reply = answer(query, table);
    } catch {
      return; // not a query this server reads: no answer, as from a server that drops it
    }
    socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, "127.0.0.1", () => resolve());
  });
  const bound = socket.address().port;
  return { address: `127.0.0.1:${bound}`, port: bound, stop: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}
