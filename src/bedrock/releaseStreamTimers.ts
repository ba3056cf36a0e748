import type { ClientHttp2Stream } from 'node:http2';
import type { DeserializeMiddleware, MiddlewareStack } from '@smithy/types';

/** The HTTP/2 stream under an answer, when the SDK's HTTP/2 handler made it. */
function http2StreamOf(body: unknown): ClientHttp2Stream | undefined {
  const stream = body as Partial<ClientHttp2Stream> | undefined;
  return typeof stream?.setTimeout === 'function' &&
    typeof stream.prependOnceListener === 'function' &&
    stream.session !== undefined
    ? (stream as ClientHttp2Stream)
    : undefined;
}

const release: DeserializeMiddleware<object, object> = (next) => async (args) => {
  const result = await next(args);
  const { statusCode, body } = result.response as { statusCode?: number; body?: unknown };
  const stream = statusCode !== undefined && statusCode >= 200 && statusCode < 300 ? http2StreamOf(body) : undefined;
  // First in line, before the handler's own 'end' listener destroys the session (and with it this stream, on
  // which setTimeout no longer does anything).
  stream?.prependOnceListener('end', () => stream.setTimeout(0));
  return result;
};

/**
 * Clears the timer of a streamed answer's HTTP/2 stream when the answer has been read to its end, so that the
 * stream and its session are freed then and not when the timer would have fired.
 *
 * Why: @smithy/node-http-handler (4.14.2, the newest) opens an HTTP/2 session of its own for every event-stream
 * call and sets the request timeout on its stream. When the answer ends, the handler destroys the session, which
 * destroys the stream, and on a destroyed stream Node 20 can no longer clear the timer: it keeps the stream, the
 * handler's callbacks and the session alive until it fires (`BEDROCK_REQUEST_TIMEOUT_MS` plus a second). In the
 * soak at 200/s, a tenth of them streams, that was 1 141 more live sessions a minute.
 *
 * Only at the end of a successful answer: until then the timer is what ends a stream that goes silent (see
 * readModelStream), and an error answer's body is read by the SDK under it. A stream that is reset or fails keeps
 * its timer; those are few.
 */
export function releaseStreamTimers<C extends { middlewareStack: object }>(command: C): C {
  (command.middlewareStack as MiddlewareStack<object, object>).add(release, {
    step: 'deserialize',
    name: 'releaseStreamTimers',
  });
  return command;
}
