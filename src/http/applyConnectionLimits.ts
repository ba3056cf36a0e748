import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** How long and how many connections the HTTP server keeps; see the README's Configuration table. */
export interface ConnectionLimits {
  /** Longest wait for a request's complete headers (Node's `headersTimeout`). */
  readonly headersTimeoutMs: number;
  /** Longest wait for a complete request, body included (Node's `requestTimeout`). */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long (Node's `keepAliveTimeout`). */
  readonly keepAliveTimeoutMs: number;
  /** Open connections at most, WebSockets included (Node's `maxConnections`). */
  readonly maxConnections: number;
  /** Open connections from one client address at most; 0 turns the cap off (behind a proxy). */
  readonly maxConnectionsPerClient: number;
}

/**
 * Sets Node's connection timeouts and caps explicitly, and caps connections per client
 * address. Node's defaults let one client hold 19 950 half-open connections until the
 * process ran out of file descriptors, refusing everyone else, and a slow body keep its
 * socket for 328 s. A connection past a cap is closed at once, before any byte is read
 * from it. Behind a reverse proxy every connection comes from the proxy's address: raise the
 * per-client cap or turn it off there, and cap per client at the proxy.
 */
export function applyConnectionLimits(server: Server, limits: ConnectionLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // Node's own cap counts only what the server's own descriptor accepted; the count below covers the connections
  // that more descriptors of the same socket hand to it as well (acceptInParallel).
  server.maxConnections = limits.maxConnections;
  let openInAll = 0;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    if (openInAll >= limits.maxConnections) {
      socket.destroy();
      return;
    }
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    if (limits.maxConnectionsPerClient > 0 && count > limits.maxConnectionsPerClient) {
      socket.destroy();
      return;
    }
    openInAll += 1;
    open.set(address, count);
    socket.once('close', () => {
      openInAll -= 1;
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
