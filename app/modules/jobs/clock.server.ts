import { isPostgres, type Database } from "~/db.server";
import { Prisma } from "~/generated/prisma/sqlite/client";

/**
 * The database's clock, in milliseconds since the epoch, as SQL. Every process that works on
 * shared rows times its claims by this one clock, so workers on machines whose clocks disagree
 * still agree on when a claim has run out.
 */
export function databaseNowMs(db: Database): Prisma.Sql {
  return isPostgres(db)
    ? Prisma.sql`CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)`
    : Prisma.sql`CAST(unixepoch('subsec') * 1000 AS INTEGER)`;
}

/** The database's time now: what a worker's pass stamps and compares its claims with. */
export async function databaseTime(db: Database): Promise<Date> {
  const [row] = await db.$queryRaw<Array<{ ms: number | bigint }>>`SELECT ${databaseNowMs(db)} AS "ms"`;
  return new Date(Number(row!.ms));
}
