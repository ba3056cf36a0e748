import { createServer as createHttp1Server } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import type { Http2ServerRequest, Http2ServerResponse, ServerHttp2Session } from 'node:http2';
import { createServer as createTcpServer } from 'node:net';
import type { Server } from 'node:net';

/** Every HTTP/2 cleartext connection with prior knowledge (what the AWS SDK does) starts with these bytes. */
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

const MiB = 1024 * 1024;

/**
 * Flow-control windows the emulator grants its clients. HTTP/2's default connection window is 64 KiB for all streams
 * together, so a client that multiplexes hundreds of calls on one session (the app's `NodeHttp2Handler` does) keeps
 * their request bodies in its own session memory until the window lets them out. Node's client session allows 10 MB
 * and, past it, resets streams itself with ENHANCE_YOUR_CALM: 1 500 concurrent Converse calls with a 10 KB image
 * lost a fifth to a half of them that way (test/emulator/concurrentStreams.test.ts). With these windows the bodies
 * leave the client at once; the emulator reads every body whole anyway.
 */
const CONNECTION_WINDOW_BYTES = 256 * MiB;
const STREAM_WINDOW_BYTES = 16 * MiB;

/**
 * Session limits of the emulator's own side. Node's default of 10 MB of session memory, after which it refuses new
 * streams with ENHANCE_YOUR_CALM, is sized for servers facing the internet; the emulator faces a benchmark that keeps
 * hundreds of streams open and must not be the one that gives way. Concurrent streams stay at the protocol's maximum
 * (Node's default, written down so that nobody lowers it): the SDK opens as many streams as it has calls in flight.
 * `peerMaxConcurrentStreams` is left alone: it bounds streams the server opens (push), and the emulator opens none.
 */
const HTTP2_OPTIONS = {
  maxSessionMemory: 256, // MB
  settings: { maxConcurrentStreams: 2 ** 32 - 1, initialWindowSize: STREAM_WINDOW_BYTES },
} as const;

/** A listener both protocols can call: it must use only what their request and response types share. */
export type DualProtocolHandler = (
  req: Http2ServerRequest | IncomingMessage,
  res: Http2ServerResponse | ServerResponse,
) => void;

/**
 * A TCP server that serves HTTP/2 cleartext and HTTP/1.1 on one port, choosing per connection by its first bytes.
 * Node 20's `http2.createServer` ignores `allowHTTP1` (it only works with TLS), yet HTTP/1.1 is what `fetch` and
 * plain curl speak, so the emulator sniffs the HTTP/2 preface itself.
 */
export function createDualProtocolServer(handler: DualProtocolHandler): Server {
  const http2 = createHttp2Server(HTTP2_OPTIONS, handler);
  // The connection window is not a setting: each session grants it with a WINDOW_UPDATE once it exists.
  http2.on('session', (session: ServerHttp2Session) => session.setLocalWindowSize(CONNECTION_WINDOW_BYTES));
  const http1 = createHttp1Server(handler);
  const ignore = (): void => {};
  // Nagle's algorithm would hold back the small frames of a paced event stream; Node's HTTP server disables it too.
  return createTcpServer({ noDelay: true }, (socket) => {
    // Until a protocol server owns the socket, nothing else would handle a reset, and an unhandled error kills Node.
    socket.on('error', ignore);
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      socket.unshift(chunk);
      const length = Math.min(chunk.length, HTTP2_PREFACE.length);
      const isHttp2 = chunk.subarray(0, length).equals(HTTP2_PREFACE.subarray(0, length));
      (isHttp2 ? http2 : http1).emit('connection', socket);
      socket.off('error', ignore);
      // The HTTP/1 parser reads the socket as a stream, which stays paused unless resumed; HTTP/2 reads the handle.
      if (!isHttp2) socket.resume();
    });
  });
}
