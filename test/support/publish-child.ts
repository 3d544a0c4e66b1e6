/**
 * Publishes one prepared draft in a process of its own, so a test can kill that process in the
 * middle of the upload. Input: a JSON argument {writer, draftId, revision, timestamp, signature}.
 */
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { publishDraft } from "~/modules/entries/publish.server";

const input = JSON.parse(process.argv[2]!) as { writer: { id: string; address: string }; draftId: string; revision: number; timestamp: number; signature: string };
void publishDraft(getDb(), getEnv(), input.writer, input).then(() => process.exit(0));
