import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { SMTPServer } from "smtp-server";
import type { LocalService } from "./service";

/**
 * A local SMTP server that accepts every message and keeps it, as received, in `dir` as an .eml
 * file named by arrival time, so messages are listed in order and read back as real mail.
 */
export async function startLocalMailCatcher(opts: { port: number; dir: string }): Promise<LocalService> {
  fs.mkdirSync(opts.dir, { recursive: true });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    banner: "local mail catcher",
    logger: false,
    size: 25 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const name = `${Date.now().toString().padStart(15, "0")}-${crypto.randomBytes(4).toString("hex")}.eml`;
        const envelope = `X-Envelope-From: ${session.envelope.mailFrom ? session.envelope.mailFrom.address : ""}\r\nX-Envelope-To: ${session.envelope.rcptTo.map((r) => r.address).join(", ")}\r\n`;
        const file = path.join(opts.dir, name);
        fs.writeFile(`${file}.part`, Buffer.concat([Buffer.from(envelope), ...chunks]), (error) => {
          if (error) return callback(error);
          fs.rename(`${file}.part`, file, callback);
        });
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, "127.0.0.1", () => resolve());
  });
  return {
    url: `smtp://127.0.0.1:${opts.port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
