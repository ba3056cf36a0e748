import type { ClientHttp2Stream } from 'node:http2';
import type { DeserializeMiddleware, MiddlewareStack } from '@smithy/types';

/** The HTTP/2 stream under a streamed answer, when the SDK's HTTP/2 handler made it. */
function http2StreamOf(body: unknown): ClientHttp2Stream | undefined {
  const stream = body as Partial<ClientHttp2Stream> | undefined;
  return typeof stream?.setTimeout === 'function' && stream.session !== undefined
    ? (stream as ClientHttp2Stream)
    : undefined;
}

const release: DeserializeMiddleware<object, object> = (next) => async (args) => {
  const result = await next(args);
  const stream = http2StreamOf((result.response as { body?: unknown }).body);
  if (stream !== undefined) {
    stream.setTimeout(0);
    stream.session?.setTimeout(0);
  }
  return result;
};

/**
 * Clears the HTTP/2 timers of a streamed answer once its headers have arrived, so that its session can be freed
 * when the stream ends.
 *
 * Why: @smithy/node-http-handler (4.14.2) opens an HTTP/2 session of its own for every event-stream call, and sets a
 * timeout on that session (5 minutes) and on its stream (the request timeout). Node 20 keeps a session that closes
 * with such a timer still set, its stream and sockets' state with it, until the timer fires. In the soak at 200/s
 * (a tenth of them streams) that was 1 141 more live sessions every minute; 500 ConverseStream calls in a row left
 * 503 sessions live after a full collection, and 4 with this.
 *
 * From the headers on, readModelStream's own idle timeout guards the stream: it aborts, which resets the stream and
 * destroys the session. Before them the handler's timeouts still apply.
 */
export function releaseStreamTimers<C extends { middlewareStack: object }>(command: C): C {
  (command.middlewareStack as MiddlewareStack<object, object>).add(release, {
    step: 'deserialize',
    name: 'releaseStreamTimers',
  });
  return command;
}
