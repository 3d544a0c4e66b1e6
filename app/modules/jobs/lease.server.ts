import crypto from "node:crypto";
import os from "node:os";
import type { Database } from "~/db.server";
import { databaseNowMs } from "./clock.server";

/**
 * A single-holder lease on work only one process may do at a time (reading the chain), kept in the
 * database and timed by the database's clock, so processes on machines whose clocks disagree still
 * agree on who holds it. `hold()` takes the lease when it is free or run out, or renews it for its
 * holder, in one statement; it answers whether this holder has it now. A holder that dies stops
 * renewing, and another takes over within one `ttlMs`.
 */
export interface Lease {
  readonly name: string;
  readonly holder: string;
  hold(): Promise<boolean>;
  /** Gives the lease up at once (on a graceful stop), so another process need not wait it out. */
  release(): Promise<void>;
}

/** Who holds a lease: this machine and process, and a random part so two holders in one process differ. */
export function holderId(): string {
  return `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString("hex")}`;
}

export function createLease(db: Database, name: string, opts: { ttlMs: number; holder?: string }): Lease {
  const holder = opts.holder ?? holderId();
  const now = databaseNowMs(db);
  return {
    name,
    holder,
    async hold() {
      // Insert when nobody ever held it; otherwise take it over only from ourselves or once it ran out.
      const changed = await db.$executeRaw`
        INSERT INTO "Lease" ("name", "holder", "expiresAtMs") VALUES (${name}, ${holder}, ${now} + ${opts.ttlMs})
        ON CONFLICT ("name") DO UPDATE SET "holder" = excluded."holder", "expiresAtMs" = excluded."expiresAtMs"
        WHERE "Lease"."holder" = excluded."holder" OR "Lease"."expiresAtMs" < ${now}`;
      return changed === 1;
    },
    async release() {
      await db.$executeRaw`DELETE FROM "Lease" WHERE "name" = ${name} AND "holder" = ${holder}`;
    },
  };
}
