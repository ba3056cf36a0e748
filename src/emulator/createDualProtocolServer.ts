import { createServer as createHttp1Server } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { createServer as createTcpServer } from 'node:net';
import type { Server } from 'node:net';

/** Every HTTP/2 cleartext connection with prior knowledge (what the AWS SDK does) starts with these bytes. */
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

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
  const http2 = createHttp2Server({}, handler);
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
