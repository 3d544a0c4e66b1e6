/**
 * Runs the mail worker until nothing is due, in a process of its own, so a test can kill it in the
 * middle of sending. Settings (DATABASE_URL, SMTP_URL, MAIL_CONCURRENCY, ...) come from the environment.
 */
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { createMailer } from "~/modules/mail/outbox.server";

void createMailer(getDb(), getEnv())
  .drain()
  .then(() => process.exit(0));
