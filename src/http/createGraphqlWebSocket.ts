import type { Server } from 'node:http';
import { execute, GraphQLError, subscribe, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  requestErrors,
  type createFormatError,
  type createOperationCache,
  type GraphQLContext,
} from '../graphql/index.js';
import type { Authenticator, Caller, RateLimiter } from '../auth/index.js';
import { type AppError, isAppError } from '../errors.js';
import type { SocketTracking } from '../telemetry/index.js';
import type { Admission, Ticket } from './createAdmission.js';
import { holdTicketWhileRunning } from './holdTicketWhileRunning.js';
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

/**
 * The most a `connection_init` may carry: its payload is kept for the socket's life, and all it
 * needs to hold is a key.
 */
export const MAX_CONNECTION_INIT_BYTES = 16 * 1024;

const byteLength = (data: RawData): number =>
  Array.isArray(data) ? data.reduce((sum, part) => sum + part.length, 0) : data.byteLength;

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
  // The size of the message each socket is handling: graphql-ws hands onSubscribe the parsed
  // payload only, and the bytes an operation holds count against MAX_BUFFERED_BODY_BYTES as a
  // body does. Registered before graphql-ws's own listener, so it runs first for each message.
  const messageBytes = new WeakMap<WebSocket, number>();
  // Sockets whose connection_init was accepted: until then no message may be larger than one needs
  // to be (graphql-ws answers pings before it, so the first message is not always the init).
  const acknowledged = new WeakSet<WebSocket>();
  wsServer.on('connection', (socket) => {
    socket.on('message', (data) => {
      const bytes = byteLength(data);
      messageBytes.set(socket, bytes);
      if (!acknowledged.has(socket) && bytes > MAX_CONNECTION_INIT_BYTES) {
        socket.close(1009, 'connection_init is too large');
      }
    });
  });
  // The key each socket sent in its connection_init: every operation authenticates with it again.
  const keysSent = new WeakMap<object, string | undefined>();
  // Each operation's admission ticket, by its context: held while graphql runs it (holdTicketWhileRunning).
  const tickets = new WeakMap<object, Ticket>();
  const holding = <T>(run: (args: ExecutionArgs) => T) =>
    holdTicketWhileRunning(run, (args) => tickets.get(args.contextValue as object));
  const refused = (error: AppError) => [new GraphQLError(error.message, { originalError: error })];
  const cleanup = useServer<Record<string, unknown>, { socket: WebSocket }>(
    {
      schema,
      // connection_init carries the key as { authorization: "Bearer <key>" }, since browsers cannot set
      // headers on a WebSocket. A refused socket is closed with 4403 before any operation runs.
      onConnect: async (ctx) => {
        // Either spelling: a header name is case-insensitive, and clients send both.
        const authorization = ctx.connectionParams?.['authorization'] ?? ctx.connectionParams?.['Authorization'];
        const sent = typeof authorization === 'string' ? authorization : undefined;
        // Too large: the socket is already closing (see above); nothing of it is authenticated or kept.
        if ((messageBytes.get(ctx.extra.socket) ?? 0) > MAX_CONNECTION_INIT_BYTES) return false;
        try {
          await deps.authenticator.authenticate(sent);
          keysSent.set(ctx, sent);
          acknowledged.add(ctx.extra.socket);
          return true;
        } catch (error) {
          if (isAppError(error)) return false;
          throw error;
        }
      },
      // Undefined (graphql-js's own) unless tracing is on: then they run inside the operation's span.
      execute: holding(deps.observation.execute(execute) ?? execute),
      subscribe: holding(deps.observation.execute(subscribe) ?? subscribe),
      onSubscribe: async (ctx, id, payload) => {
        // Read now, before any await: the socket may be handling its next message by then.
        const bytes = messageBytes.get(ctx.extra.socket) ?? 0;
        const { document, errors } = parseOperation(payload.query);
        if (errors !== undefined) return errors;
        let caller: Caller;
        try {
          // Each operation checks the key again, as each HTTP request does: a socket opened before its
          // key was revoked must not keep reading and deleting (the check is the authenticator's cache).
          caller = await deps.authenticator.authenticate(keysSent.get(ctx));
          // Each operation counts against the key's requests per minute, as each HTTP request does.
          await deps.rateLimiter.consume(caller);
        } catch (error) {
          if (!isAppError(error)) throw error;
          return refused(error);
        }
        // Checked here (after the key, as over HTTP: a revoked key is told so, and a bad operation is
        // counted), not left to graphql-ws and graphql-js: their refusals carry no code (the
        // client would see INTERNAL_SERVER_ERROR), and an operation graphql-ws cannot identify is
        // dropped without completing, which would keep its ticket.
        const invalid = requestErrors(schema, document, payload.operationName, payload.variables);
        if (invalid !== undefined) return [...invalid];
        const args = { schema, document, operationName: payload.operationName, variableValues: payload.variables };
        const contextValue = deps.observation.context(deps.context(caller), ctx, id, args);
        // Work in flight like an HTTP request, refused the same way, and holding its message's bytes.
        let ticket: Ticket;
        try {
          ticket = deps.admission.admitMessage(bytes);
        } catch (error) {
          if (!isAppError(error)) throw error;
          return refused(error);
        }
        tickets.set(contextValue, ticket);
        return { ...args, contextValue };
      },
      onComplete: (ctx, id) => deps.observation.completed(ctx, id),
      onClose: (ctx) => deps.observation.closed(ctx),
      // Errors over the socket go through the same mapping as over HTTP.
      onNext: (ctx, id, _payload, _args, result) => {
        deps.observation.noteResult(ctx, id, result);
        return result.errors === undefined
          ? undefined
          : { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) };
      },
      // A stream that fails mid-way reaches the client as an `error` message.
      onError: (ctx, id, _payload, errors) => {
        deps.observation.failed(ctx, id, errors);
        return errors.map((error) => formatError(error.toJSON(), error.originalError ?? error));
      },
    },
    wsServer,
  );
  return { dispose: async () => cleanup.dispose() };
}
