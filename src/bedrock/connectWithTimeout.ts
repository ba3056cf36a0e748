import { connect as netConnect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import { CONNECT_FAILED } from './recordAttempts.js';

/**
 * A `createConnection` for http2.connect that gives up when the TCP (and TLS)
 * handshake takes longer than `timeoutMs`. The SDK's HTTP/2 handler only has an
 * inactivity timeout per stream; an unreachable endpoint should fail fast and be
 * retried, not hang a user's request.
 */
export function connectWithTimeout(timeoutMs: number): (authority: URL) => Duplex {
  return (authority: URL) => {
    const secure = authority.protocol === 'https:';
    const host = authority.hostname.replace(/^\[|\]$/g, '');
    const port = Number(authority.port) || (secure ? 443 : 80);
    const socket = secure
      ? tlsConnect({ host, port, ALPNProtocols: ['h2'], ...(isIP(host) ? {} : { servername: host }) })
      : netConnect({ host, port });
    const timer = setTimeout(() => {
      const error = new Error(`Could not connect to ${host}:${port} within ${timeoutMs} ms`);
      // Marked as never sent, so the retry strategy retries it: Bedrock cannot have billed it.
      socket.destroy(Object.assign(error, { name: 'TimeoutError', [CONNECT_FAILED]: true }));
    }, timeoutMs);
    socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
    return socket;
  };
}
