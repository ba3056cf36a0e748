import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert {
  readonly key: string;
  readonly cert: string;
}

/**
 * A throwaway self-signed certificate for localhost, 127.0.0.1 and 127.0.0.2, made
 * with the system openssl so the tests need no key material in the repository.
 */
export function createTestCert(): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'image-url-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:127.0.0.2',
      ],
      { stdio: 'pipe' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } catch (error) {
    throw new Error('These tests need the `openssl` command to make a self-signed certificate', { cause: error });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TlsTestServer {
  readonly port: number;
  /** TCP connections accepted, whether or not TLS or HTTP followed. */
  readonly connections: () => number;
  /** HTTP requests received. */
  readonly requests: () => number;
  readonly close: () => Promise<void>;
}

/** An HTTPS server on a loopback address and a free port, counting what reaches it. */
export async function startTlsServer(
  cert: TestCert,
  handler: (req: IncomingMessage, res: ServerResponse, port: number) => void,
  host = '127.0.0.1',
): Promise<TlsTestServer> {
  let connections = 0;
  let requests = 0;
  let port = 0;
  const server: Server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    requests += 1;
    handler(req, res, port);
  });
  server.on('connection', () => (connections += 1));
  // A client that hangs up mid-handshake is expected in these tests.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  port = (server.address() as AddressInfo).port;
  return {
    port,
    connections: () => connections,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
