import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { AppError, errorExtensions } from '../errors.js';

/** A request Node's HTTP parser refused, with the status line it answers and the registry's error. */
function refusalOf(error: NodeJS.ErrnoException, requestTimeoutMs: number): { status: string; error: AppError } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      // A GET carries its document in the URL: past Node's header limit it never reaches the document check.
      return {
        status: '431 Request Header Fields Too Large',
        error: new AppError(
          'PAYLOAD_TOO_LARGE',
          'The request line and headers are larger than 16 KiB; send a large GraphQL document with POST',
        ),
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: '408 Request Timeout',
        error: new AppError('BAD_REQUEST', `The request did not arrive whole within ${requestTimeoutMs} ms`),
      };
    default:
      return { status: '400 Bad Request', error: new AppError('BAD_REQUEST', 'Malformed HTTP request') };
  }
}

/**
 * Answers what Node's HTTP parser refuses (a request line or headers over its 16 KiB limit, a
 * request not whole in time, malformed HTTP) with the body every other refusal has, a JSON
 * GraphQL error with its code, where Node alone answers a bare status line. As Node does, only
 * on a socket that can still take a response, and the connection is then closed.
 */
export function answerClientErrors(server: Server, requestTimeoutMs: number): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // Node's own test: a response already begun on this socket must not be interleaved with another.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && inFlight?.headersSent !== true) {
      const { status, error: refusal } = refusalOf(error, requestTimeoutMs);
      const body = JSON.stringify({ errors: [{ message: refusal.message, extensions: errorExtensions(refusal) }] });
      socket.write(
        `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(error);
  });
}
