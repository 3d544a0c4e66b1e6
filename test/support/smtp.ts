/**
 * A real SMTP server for tests and benchmarks (smtp-server, the protocol peer nodemailer talks to
 * in production), on a free port of 127.0.0.1, that can misbehave the ways relays do: defer the
 * first recipients with 451 (greylisting), refuse some for good with 550, drop the connection in
 * the middle of a message without answering, or keep messages and never answer (a relay that
 * accepted them and then went silent). Accepted messages are parsed, or only counted.
 */
import type net from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer, type SMTPServerDataStream } from "smtp-server";
import { freePort } from "../../scripts/local/service";

export interface SmtpBehaviour {
  /** Answer the first `deferFirst` RCPT TO commands with 451 "try again later". */
  deferFirst?: number;
  /** Recipients refused for good (550 at RCPT TO). */
  refuse?: (address: string) => boolean;
  /** Message transfers (1-based, in the order their DATA starts) whose connection is cut once the data is in, unanswered: not accepted. */
  dropAt?: number[];
  /** After this many accepted messages, keep every further message but never answer it. */
  holdAfter?: number;
  /** Count accepted messages only (no parsing, nothing kept). */
  countOnly?: boolean;
}

export interface ReceivedMessage {
  /** The envelope recipient. */
  to: string;
  raw: Buffer;
  parsed: ParsedMail;
}

export interface TestSmtp {
  url: string;
  /** Messages accepted so far (or kept while holding). */
  accepted(): number;
  /** Parsed messages, in the order they were accepted (parsing is async: use waitFor). */
  messages: ReceivedMessage[];
  /** Messages per envelope recipient. */
  byRecipient(): Map<string, ReceivedMessage[]>;
  /** How many messages each recipient was accepted for, counted also when messages are not kept (`countOnly`). */
  acceptedPerRecipient(): Map<string, number>;
  /** Resolves once `count` messages are accepted and parsed. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  /** RCPT TO commands and message transfers seen, accepted or not. */
  stats(): { recipients: number; transfers: number; dropped: number; held: number };
  /** Changes how the server behaves from now on (the relay recovering, say). */
  behave(next: SmtpBehaviour): void;
  stop(): Promise<void>;
}

export async function startTestSmtp(initial: SmtpBehaviour = {}): Promise<TestSmtp> {
  let behaviour = initial;
  let recipients = 0;
  let transfers = 0;
  let dropped = 0;
  let accepted = 0;
  let parsing = 0;
  let held = 0;
  const messages: ReceivedMessage[] = [];
  const perRecipient = new Map<string, number>();
  const sockets = new Map<number, net.Socket>();

  const drain = (stream: SMTPServerDataStream) =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => {
        if (!behaviour.countOnly) chunks.push(chunk);
      });
      stream.on("end", () => resolve(Buffer.concat(chunks)));
      stream.on("error", reject);
    });

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    disableReverseLookup: true,
    logger: false,
    banner: "test relay",
    closeTimeout: 200,
    size: 25 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      recipients++;
      if (recipients <= (behaviour.deferFirst ?? 0)) return callback(Object.assign(new Error("Greylisted: try again later"), { responseCode: 451 }));
      if (behaviour.refuse?.(address.address)) return callback(Object.assign(new Error("No such mailbox here"), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const transfer = ++transfers;
      void drain(stream).then((raw) => {
        if (behaviour.dropAt?.includes(transfer)) {
          dropped++;
          sockets.get(session.remotePort)?.destroy();
          return;
        }
        accepted++;
        const to = session.envelope.rcptTo.map((r) => r.address).join(",");
        perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
        if (!behaviour.countOnly) {
          parsing++;
          void simpleParser(raw).then((parsed) => {
            messages.push({ to, raw, parsed });
            parsing--;
          });
        }
        if (behaviour.holdAfter !== undefined && accepted > behaviour.holdAfter) held++;
        else callback();
      }, () => {
        // The client went away mid-message (a worker killed while sending): nothing was accepted.
      });
    },
  });
  server.server.on("connection", (socket: net.Socket) => {
    const port = socket.remotePort!;
    sockets.set(port, socket);
    socket.once("close", () => sockets.delete(port));
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  // Errors on connections the server cut are expected here.
  server.on("error", () => {});

  return {
    url: `smtp://127.0.0.1:${port}`,
    accepted: () => accepted,
    messages,
    acceptedPerRecipient: () => new Map(perRecipient),
    byRecipient() {
      const map = new Map<string, ReceivedMessage[]>();
      for (const message of messages) map.set(message.to, [...(map.get(message.to) ?? []), message]);
      return map;
    },
    async waitFor(count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (accepted < count || parsing > 0 || (!behaviour.countOnly && messages.length < count)) {
        if (Date.now() > deadline) throw new Error(`the SMTP server accepted ${accepted} of ${count} messages within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stats: () => ({ recipients, transfers, dropped, held }),
    behave(next) {
      behaviour = next;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets.values()) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
