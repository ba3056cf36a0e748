import { READ_TIMEOUT_MESSAGE } from './queryWithReadTimeout.js';

/** SQLSTATE classes and codes that mean "the server cannot serve this now", not "this query is wrong". */
const UNAVAILABLE_SQLSTATE_CLASSES = [
  '08', // connection_exception
  '53', // insufficient_resources: disk full, out of memory, too many connections; freed in time
];
const UNAVAILABLE_SQLSTATES = new Set([
  '25006', // read_only_sql_transaction: a write reached a primary a failover demoted; the new one takes it
  '57014', // query_canceled: statement_timeout
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
]);
/**
 * Socket-level failures, as Node names them; EAI_AGAIN is a DNS lookup of the host failing for now, ENOENT a Unix
 * socket that is gone (the PGlite thread ended, or a local PostgreSQL is not running).
 */
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** Prisma's codes for the same conditions, when a Prisma call carried them. */
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
/** Prisma's driver adapters classify connection failures by `kind`. */
const UNAVAILABLE_ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'SocketTimeout',
  'ConnectionClosed',
  'TooManyConnections',
  'TlsConnectionError',
]);
/** node-postgres says these in words only. */
const UNAVAILABLE_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Connection closed',
  'Client has encountered a connection error',
  'Cannot use a pool after calling end',
  // queryWithReadTimeout (node-postgres's query_timeout says the same): a frozen server (SIGSTOP, a hung host).
  READ_TIMEOUT_MESSAGE,
];

function looksUnavailable(error: Record<string, unknown>): boolean {
  if (typeof error.kind === 'string' && UNAVAILABLE_ADAPTER_KINDS.has(error.kind)) return true;
  const code = typeof error.code === 'string' ? error.code : undefined;
  if (code !== undefined) {
    if (code.length === 5 && UNAVAILABLE_SQLSTATE_CLASSES.some((sqlClass) => code.startsWith(sqlClass))) return true;
    if (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code) || UNAVAILABLE_PRISMA_CODES.has(code)) {
      return true;
    }
  }
  const message = typeof error.message === 'string' ? error.message : '';
  return UNAVAILABLE_MESSAGES.some((text) => message.includes(text));
}

/**
 * Whether a database error means the database cannot be reached in time (so a retry later
 * may succeed), looking through the causes that Prisma's driver adapter and node-postgres
 * wrap around the original error.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const record = current as Record<string, unknown>;
    if (looksUnavailable(record)) return true;
    if (Array.isArray(record.errors) && record.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    current = record.cause ?? (record.meta as Record<string, unknown> | undefined)?.driverAdapterError;
  }
  return false;
}
