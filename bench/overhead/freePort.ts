import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';

/**
 * A TCP port free on 127.0.0.1 right now. The API logs its address only at info level, which the benchmark turns
 * off, so it is told a port instead of choosing one; another process taking it in between would fail the start.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
