import { randomUUID } from 'node:crypto';
import { Prisma } from '../generated/prisma/client.js';
import type { DriverQuery } from './DriverQuery.js';

const { sql } = Prisma;

/** An API key as the ledger keeps it: never its secret, only the secret's hash (see ApiKeyCredentials). */
export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  /** Public, safe to log and show: the start of the secret. */
  readonly prefix: string;
  readonly admin: boolean;
  /** Requests per minute; null = unlimited. */
  readonly rpm: number | null;
  /** USD budgets as exact decimal strings; null = unlimited. */
  readonly dailyUsd: string | null;
  readonly monthlyUsd: string | null;
  /** What the current UTC day and month have spent (reservations of requests still running included). */
  readonly spentTodayUsd: string;
  readonly spentThisMonthUsd: string;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

export interface NewApiKey {
  readonly name: string;
  readonly prefix: string;
  readonly secretHash: string;
  readonly admin: boolean;
  readonly rpm: number | null;
  readonly dailyUsd: string | null;
  readonly monthlyUsd: string | null;
}

export interface ApiKeyRepository {
  create(key: NewApiKey): Promise<ApiKeyRecord>;
  list(): Promise<ApiKeyRecord[]>;
  /** Revokes by id or prefix; null when there is no such key. Revoking twice keeps the first instant. */
  revoke(idOrPrefix: string): Promise<ApiKeyRecord | null>;
  /** The key with this prefix and its secret's hash, revoked or not. */
  findByPrefix(prefix: string): Promise<{ readonly key: ApiKeyRecord; readonly secretHash: string } | null>;
  /** Whether any key is not revoked: with none, the API runs open (see auth/createAuthenticator). */
  anyActive(): Promise<boolean>;
}

// The day's and month's spend read as of now: a counter whose period has passed reads 0.
const COLUMNS = sql`k."id", k."name", k."prefix", k."admin", k."rpm",
  trim_scale(k."dailyUsd")::text AS "dailyUsd", trim_scale(k."monthlyUsd")::text AS "monthlyUsd",
  CASE WHEN k."dayStart" = (now() AT TIME ZONE 'UTC')::date THEN trim_scale(k."daySpentUsd") ELSE 0 END::text
    AS "spentTodayUsd",
  CASE WHEN k."monthStart" = date_trunc('month', now() AT TIME ZONE 'UTC')::date
    THEN trim_scale(k."monthSpentUsd") ELSE 0 END::text AS "spentThisMonthUsd",
  k."createdAt", k."revokedAt"`;

/** API keys, on the driver: the authenticator reads one per request it has not cached. */
export function createApiKeyRepository(driver: DriverQuery): ApiKeyRepository {
  return {
    async create(key) {
      const [row] = await driver<ApiKeyRecord>(sql`INSERT INTO "api_key" AS k ("id", "name", "prefix", "secretHash",
          "admin", "rpm", "dailyUsd", "monthlyUsd")
        VALUES (${randomUUID()}::uuid, ${key.name}, ${key.prefix}, ${key.secretHash}, ${key.admin}, ${key.rpm}::int,
          ${key.dailyUsd}::numeric, ${key.monthlyUsd}::numeric)
        RETURNING ${COLUMNS}`);
      return row!;
    },
    list() {
      return driver<ApiKeyRecord>(sql`SELECT ${COLUMNS} FROM "api_key" k ORDER BY k."createdAt", k."id"`);
    },
    async revoke(idOrPrefix) {
      const byId = /^[0-9a-f-]{36}$/i.test(idOrPrefix);
      const [row] = await driver<ApiKeyRecord>(sql`UPDATE "api_key" k SET "revokedAt" = COALESCE(k."revokedAt", now())
        WHERE ${byId ? sql`k."id" = ${idOrPrefix.toLowerCase()}::uuid` : sql`k."prefix" = ${idOrPrefix}`}
        RETURNING ${COLUMNS}`);
      return row ?? null;
    },
    async findByPrefix(prefix) {
      const [row] = await driver<ApiKeyRecord & { secretHash: string }>(
        sql`SELECT ${COLUMNS}, k."secretHash" FROM "api_key" k WHERE k."prefix" = ${prefix}`,
        { prepareAs: 'bvg_api_key_by_prefix' },
      );
      if (row === undefined) return null;
      const { secretHash, ...key } = row;
      return { key, secretHash };
    },
    async anyActive() {
      const rows = await driver<{ one: number }>(
        sql`SELECT 1 AS "one" FROM "api_key" WHERE "revokedAt" IS NULL LIMIT 1`,
      );
      return rows.length > 0;
    },
  };
}
