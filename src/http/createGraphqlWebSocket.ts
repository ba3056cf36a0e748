import type { Server } from 'node:http';
import { execute, GraphQLError, subscribe, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { createFormatError, createOperationCache, GraphQLContext } from '../graphql/index.js';
import type { Authenticator, Caller, RateLimiter } from '../auth/index.js';
import { isAppError } from '../errors.js';
import type { SocketTracking } from '../telemetry/index.js';
import type { Admission } from './createAdmission.js';
import { createSocketTickets } from './createSocketTickets.js';
import { isAllowedOrigin } from './isAllowedOrigin.js';

export interface GraphqlWebSocketDeps {
  readonly httpServer: Server;
  readonly path: string;
  readonly schema: GraphQLSchema;
  readonly context: (caller: Caller) => GraphQLContext;
  readonly formatError: ReturnType<typeof createFormatError>;
  readonly parseOperation: ReturnType<typeof createOperationCache>;
  readonly admission: Admission;
  readonly authenticator: Authenticator;
  readonly rateLimiter: RateLimiter;
  /** Other origins whose pages may open a socket (CORS_ORIGINS); the server's own always may. */
  readonly allowedOrigins: ReadonlySet<string>;
  /** Largest message, as the largest HTTP body: ws would take 100 MiB. */
  readonly maxMessageBytes: number;
  /** Metrics, the log line and the span per operation, as Apollo's plugin does over HTTP (src/telemetry). */
  readonly observation: SocketTracking;
  /** True once the server is stopping: a new socket is refused with 503, as a new HTTP request is. */
  readonly draining: () => boolean;
}

export interface GraphqlWebSocket {
  /** Closes every socket (graphql-ws completes their operations) and stops accepting new ones. */
  dispose(): Promise<void>;
}

/**
 * GraphQL over WebSocket (graphql-ws), on the same port and path as GraphQL over HTTP: the
 * transport of subscriptions. Operations are parsed and validated as over HTTP (operation
 * limits included), admitted like HTTP requests, and their errors mapped the same way.
 */
export function createGraphqlWebSocket(deps: GraphqlWebSocketDeps): GraphqlWebSocket {
  const { schema, formatError, parseOperation } = deps;
  const socketTickets = createSocketTickets(deps.admission);
  const wsServer = new WebSocketServer({
    server: deps.httpServer,
    path: deps.path,
    maxPayload: deps.maxMessageBytes,
    // CORS does not cover WebSocket: without this a page on any site could open a socket with the
    // user's network position (and, in open mode, run every operation). Refused with 403.
    verifyClient: ({ req }, done) =>
      deps.draining()
        ? done(false, 503, 'The server is stopping')
        : done(isAllowedOrigin(req, deps.allowedOrigins), 403, 'Origin not allowed'),
  });
  // The caller each socket authenticated as, and the key it sent in its connection_init.
  const callers = new WeakMap<object, Caller>();
  const keysSent = new WeakMap<object, string | undefined>();
  // graphql-ws runs onConnect, which sets it, before any operation; a socket without one fails closed.
  const callerOfSocket = (ctx: object): Caller => {
    const caller = callers.get(ctx);
    if (caller === undefined) throw new Error('No authenticated caller on this WebSocket');
    return caller;
  };
  const cleanup = useServer(
    {
      schema,
      // connection_init carries the key as { authorization: "Bearer <key>" }, since browsers cannot set
      // headers on a WebSocket. A refused socket is closed with 4403 before any operation runs.
      onConnect: async (ctx) => {
        // Either spelling: a header name is case-insensitive, and clients send both.
        const authorization = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const sent = typeof authorization === 'string' ? authorization : undefined;
        try {
          callers.set(ctx, await deps.authenticator.authenticate(sent));
          keysSent.set(ctx, sent);
          return true;
        } catch (error) {
          if (isAppError(error)) return false;
          throw error;
        }
      },
      context: (ctx, id, _payload, args) => deps.observation.context(deps.context(callerOfSocket(ctx)), ctx, id, args),
      // Undefined (graphql-js's own) unless tracing is on: then they run inside the operation's span.
      execute: deps.observation.execute(execute),
      subscribe: deps.observation.execute(subscribe),
      onSubscribe: async (ctx, id, payload) => {
        const { document, errors } = parseOperation(payload.query);
        if (errors !== undefined) return errors;
        try {
          // Each operation checks the key again, as each HTTP request does: a socket opened before its
          // key was revoked must not keep reading and deleting (the check is the authenticator's cache).
          const caller = await deps.authenticator.authenticate(keysSent.get(ctx));
          callers.set(ctx, caller);
          // Each operation counts against the key's requests per minute, as each HTTP request does.
          await deps.rateLimiter.consume(caller);
        } catch (error) {
          if (!isAppError(error)) throw error;
          return [new GraphQLError(error.message, { originalError: error })];
        }
        // A subscription is work in flight like an HTTP request, and is refused the same way.
        const refusal = socketTickets.admit(ctx, id);
        if (refusal !== undefined) return [new GraphQLError(refusal.message, { originalError: refusal })];
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
      },
      onComplete: (ctx, id) => {
        socketTickets.release(ctx, id);
        deps.observation.completed(ctx, id);
      },
      onClose: (ctx) => {
        socketTickets.releaseAll(ctx);
        deps.observation.closed(ctx);
      },
      // Errors over the socket go through the same mapping as over HTTP.
      onNext: (ctx, id, _payload, _args, result) => {
        deps.observation.noteResult(ctx, id, result);
        return result.errors === undefined
          ? undefined
          : { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) };
      },
      // A stream that fails mid-way reaches the client as an `error` message.
      onError: (ctx, id, _payload, errors) => {
        socketTickets.release(ctx, id);
        deps.observation.failed(ctx, id, errors);
        return errors.map((error) => formatError(error.toJSON(), error.originalError ?? error));
      },
    },
    wsServer,
  );
  return { dispose: async () => cleanup.dispose() };
}
