import { Prisma } from '../generated/prisma/client.js';
import { closePendingSql } from './closePendingSql.js';

const { sql } = Prisma;

/**
 * Closes PENDING rows whose process is gone as FAILED with `code`, their usage unknown (the call
 * may have been billed): rows whose owner's lease ran out (or whose owner left no lease), and
 * rows written before leases existed once older than `legacyCutoff`. A live instance's rows are
 * never selected, however long their call. The reservation is released as closePendingSql says,
 * so an answer replayed later from a completion journal settles the rest of its cost.
 */
export function closeOrphanedSql(code: string, message: string, legacyCutoff: Date): Prisma.Sql {
  return closePendingSql(
    sql`FROM "description_request" d WHERE (
        (d."ownerInstanceId" IS NULL AND d."createdAt" < ${legacyCutoff}::timestamptz)
        OR (d."ownerInstanceId" IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM "instance" i WHERE i."id" = d."ownerInstanceId" AND i."leaseUntil" > now())))`,
    { code, message, usageUnknown: true },
  );
}
