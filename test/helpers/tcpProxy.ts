import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of a real server (PostgreSQL), so a test can take the database away
 * from the app under test the way a network or a failover would: refuse new connections and
 * reset open ones, or accept connections and never answer.
 */
export interface TcpProxy {
  readonly port: number;
  /** Resets every open connection and refuses new ones (ECONNREFUSED). */
  refuse(): Promise<void>;
  /** Accepts new connections but forwards nothing: the peer waits until its own timeout. */
  blackHole(): void;
  /** Forwards again. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  let mode: 'forward' | 'black-hole' = 'forward';
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
  };
  const onConnection = (client: Socket) => {
    track(client);
    if (mode === 'black-hole') return;
    const upstream = connect(targetPort, targetHost);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  };
  let server: Server = createServer(onConnection);
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const port = await listen(0);
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  return {
    port,
    refuse: stop,
    blackHole() {
      mode = 'black-hole';
    },
    async restore() {
      mode = 'forward';
      if (!server.listening) {
        server = createServer(onConnection);
        await listen(port);
      }
    },
    close: stop,
  };
}
