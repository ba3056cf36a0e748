/**
 * One ledger row as the invariant checker reads it. `usageKnown` and `cached` are read when the ledger has them
 * (columns added after the checker was written are picked up by name), and are undefined otherwise.
 */
export interface LedgerRow {
  readonly id: string;
  readonly status: string;
  readonly prompt: string;
  readonly clientRequestId: string | null;
  /** Epoch ms, from the row's `createdAt`: the time the server took just before writing the PENDING row. */
  readonly createdAt: number;
  /** Exact decimal string, or null when the cost is unknown. */
  readonly costUsd: string | null;
  readonly errorCode: string | null;
  readonly usageKnown: boolean | undefined;
  /** Whether the row is an answer served from the exact-request cache (no model call of its own). */
  readonly cached: boolean | undefined;
}

/** Anything with pg's `query` shape: a `pg.Client`, a `pg.Pool`, or a PGlite instance on a folder no server holds. */
export interface SqlQuery {
  query(sql: string): Promise<{ rows: unknown[] }>;
}

/** `to_jsonb(d)` carries every column, so columns another change adds (usageKnown, a cache source) are read too. */
const LEDGER_SQL = `SELECT d."id", d."status"::text AS "status", d."prompt", d."clientRequestId",
    (extract(epoch FROM d."createdAt") * 1000)::float8 AS "createdAt", trim_scale(d."costUsd")::text AS "costUsd",
    d."errorCode", to_jsonb(d) - 'prompt' - 'text' - 'costUsd' AS "extra"
  FROM "description_request" d`;

function flag(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** Whether a row's other columns say it came from the cache: a `cached` flag or a source id, whichever exists. */
function cachedFrom(extra: Record<string, unknown>): boolean | undefined {
  if (typeof extra['cached'] === 'boolean') return extra['cached'];
  for (const name of ['cachedFromId', 'cacheSourceId', 'cachedFrom']) {
    if (name in extra) return extra[name] !== null;
  }
  return undefined;
}

/** The whole ledger, straight from the database. */
export async function readLedgerFromSql(db: SqlQuery): Promise<LedgerRow[]> {
  const { rows } = await db.query(LEDGER_SQL);
  return (rows as (Omit<LedgerRow, 'usageKnown' | 'cached'> & { extra: Record<string, unknown> })[]).map(
    ({ extra, ...row }) => ({
      ...row,
      createdAt: Number(row.createdAt),
      usageKnown: flag(extra['usageKnown']),
      cached: cachedFrom(extra),
    }),
  );
}

/**
 * The whole ledger through a running server's NDJSON export: the way to read a PGlite folder while its server
 * holds it. `headers` carries an admin key when the server has keys.
 */
export async function readLedgerFromExport(origin: string, headers: Record<string, string> = {}): Promise<LedgerRow[]> {
  const response = await fetch(`${origin}/export/history.ndjson`, { headers });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET /export/history.ndjson: HTTP ${response.status} ${text}`);
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const row = JSON.parse(line) as Record<string, unknown>;
      return {
        id: String(row['id']),
        status: String(row['status']),
        prompt: String(row['prompt']),
        clientRequestId: typeof row['clientRequestId'] === 'string' ? row['clientRequestId'] : null,
        createdAt: Date.parse(String(row['createdAt'])),
        costUsd: typeof row['costUsd'] === 'string' ? row['costUsd'] : null,
        errorCode: typeof row['errorCode'] === 'string' ? row['errorCode'] : null,
        usageKnown: flag(row['usageKnown']),
        cached: cachedFrom(row),
      };
    });
}
