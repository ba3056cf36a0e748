import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Prisma } from '../generated/prisma/client.js';
import type { DriverQuery } from './DriverQuery.js';

const { sql } = Prisma;

/**
 * This process's lease in the `instance` table. Rows it writes carry its id; while it renews
 * the lease no other instance touches them, however long their calls take. Times are the
 * database's clock, so instances on machines whose clocks disagree still agree on leases.
 */
export interface InstanceLease {
  readonly id: string;
  /** Extends the lease (re-registering the instance if its row was removed meanwhile). */
  renew(): Promise<void>;
  /** Removes the lease at a clean exit, after this process closed its own rows. */
  release(): Promise<void>;
  /** The instances whose lease is current, this one included. */
  liveInstanceIds(): Promise<ReadonlySet<string>>;
}

export async function createInstanceLease(driver: DriverQuery, ttlMs: number): Promise<InstanceLease> {
  const id = randomUUID();
  const renew = async () => {
    await driver(sql`INSERT INTO "instance" ("id", "host", "pid", "leaseUntil")
      VALUES (${id}::uuid, ${hostname()}, ${process.pid}::int, now() + ${ttlMs}::int * interval '1 millisecond')
      ON CONFLICT ("id") DO UPDATE SET "leaseUntil" = excluded."leaseUntil"`);
  };
  await renew();
  return {
    id,
    renew,
    async liveInstanceIds() {
      const rows = await driver<{ id: string }>(sql`SELECT "id" FROM "instance" WHERE "leaseUntil" > now()`);
      return new Set(rows.map((row) => row.id));
    },
    async release() {
      await driver(sql`DELETE FROM "instance" WHERE "id" = ${id}::uuid`);
    },
  };
}
