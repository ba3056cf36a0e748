import type { IncomingMessage } from 'node:http';

/**
 * Whether a browser page from `Origin` may talk to this server: its own origin (the Origin's
 * host and port are the request's Host), or one the operator listed in CORS_ORIGINS. A request
 * without Origin is not from a browser page (browsers always send it on WebSocket upgrades and
 * cross-origin requests) and is left to authentication.
 */
export function isAllowedOrigin(req: IncomingMessage, allowedOrigins: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowedOrigins.has(origin)) return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  return host !== '' && host === req.headers.host;
}
