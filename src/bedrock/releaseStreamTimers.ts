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
  const stream = http2StreamOf((result.response as { body?: unknown }).body);
  // First in line, before the handler's own 'end' listener destroys the session (and with it this stream, on
  // which setTimeout no longer does anything). At the end, so the timer guards every byte before it.
  stream?.prependOnceListener('end', () => stream.setTimeout(0));
  return result;
};

/**
 * Clears the timer of a streamed call's HTTP/2 stream when its answer (or an error answer's body) has been read to
 * the end, so that the stream and its session are freed then and not when the timer would have fired.
 *
 * Why: @smithy/node-http-handler (4.14.2, the newest) opens an HTTP/2 session of its own for every event-stream
 * call and sets the request timeout on its stream. When the answer ends, the handler destroys the session, which
 * destroys the stream, and on a destroyed stream Node 20 can no longer clear the timer: it keeps the stream, the
 * handler's callbacks and the session alive until it fires (`BEDROCK_REQUEST_TIMEOUT_MS` plus a second). In the
 * soak at 200/s, a tenth of them streams, that held some 2 400 sessions at any time.
 *
 * Runs next to the handler (below the SDK's deserializer, `priority: 'low'`), so it sees every answer, an error
 * status included, before its body is read. A stream that is reset or fails is closed by Node, which clears its
 * timer itself.
 */
export function releaseStreamTimers<C extends { middlewareStack: object }>(command: C): C {
  (command.middlewareStack as MiddlewareStack<object, object>).add(release, {
    step: 'deserialize',
    priority: 'low',
    name: 'releaseStreamTimers',
  });
  return command;
}
