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
  /**
   * A frozen server (SIGSTOP, a hung host): open connections stay open but carry nothing either
   * way, and new ones are accepted and never answered. Nothing is reset, so only the client's own
   * timeouts can end a query in flight.
   */
  freeze(): void;
  /** Forwards again (what a frozen connection still holds flows on). */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  let mode: 'forward' | 'black-hole' = 'forward';
  let frozen = false;
  const sockets = new Set<Socket>();
  const pairs = new Set<readonly [Socket, Socket]>();
  const pipePair = ([client, upstream]: readonly [Socket, Socket]) => client.pipe(upstream).pipe(client);
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
    const pair = [client, upstream] as const;
    pairs.add(pair);
    pipePair(pair);
    upstream.once('close', () => pairs.delete(pair));
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
    freeze() {
      mode = 'black-hole';
      frozen = true;
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    async restore() {
      if (frozen) for (const pair of pairs) pipePair(pair);
      frozen = false;
      mode = 'forward';
      if (!server.listening) {
        server = createServer(onConnection);
        await listen(port);
      }
    },
    close: stop,
  };
}
