import type pg from 'pg';

/** What a statement a frozen server never answered fails with (isDatabaseUnavailable reads it as an outage). */
export const READ_TIMEOUT_MESSAGE = 'Query read timeout';

/**
 * One statement on a pool connection, given up after `timeoutMs`: statement_timeout is enforced by the server,
 * and a frozen server (SIGSTOP, a hung host) enforces nothing. It does what `pool.query` does, with a timer.
 *
 * Why not node-postgres's own `query_timeout`: set on the pool it also bounds a migration (openStore's
 * withMigrationSession), which may rightly run for minutes; and node-postgres 8.23 builds its callback in a scope
 * that keeps the statement's whole result alive until V8's next full collection, so an export of a million rows
 * (2 000 per statement) peaked at 335 MB instead of 175. Nothing here refers to the result once it is handed over.
 */
export function queryWithReadTimeout(pool: pg.Pool, query: pg.QueryConfig, timeoutMs: number): Promise<pg.QueryResult> {
  return new Promise((resolve, reject) => {
    pool.connect((connectError, client, release) => {
      if (connectError !== undefined && connectError !== null) return reject(connectError);
      if (client === undefined) return reject(new Error('The pool gave no connection'));
      let settled = false;
      const settle = (error: Error | undefined, result?: pg.QueryResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // Any error, the timeout included, takes the connection out of the pool, as pool.query does.
        release(error);
        if (error !== undefined) {
          // The listener stays: a connection given up on may still fail later, and that must not end the process.
          reject(error);
          return;
        }
        client.removeListener('error', onError);
        resolve(result!);
      };
      // pool.query listens too: a connection reset during the statement is an error event, not only a callback.
      const onError = (error: Error) => settle(error);
      client.on('error', onError);
      const timer = setTimeout(() => settle(new Error(READ_TIMEOUT_MESSAGE)), timeoutMs);
      try {
        client.query(query, (error: Error | null, result: pg.QueryResult) => settle(error ?? undefined, result));
      } catch (error) {
        settle(error as Error);
      }
    });
  });
}
