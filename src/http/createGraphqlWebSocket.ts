import type { Server } from 'node:http';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { createFormatError, createOperationCache, GraphQLContext } from '../graphql/index.js';
import type { Admission } from './createAdmission.js';
import { createSocketTickets } from './createSocketTickets.js';

export interface GraphqlWebSocketDeps {
  readonly httpServer: Server;
  readonly path: string;
  readonly schema: GraphQLSchema;
  readonly context: () => GraphQLContext;
  readonly formatError: ReturnType<typeof createFormatError>;
  readonly parseOperation: ReturnType<typeof createOperationCache>;
  readonly admission: Admission;
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
  const wsServer = new WebSocketServer({ server: deps.httpServer, path: deps.path });
  const cleanup = useServer(
    {
      schema,
      context: () => deps.context(),
      onSubscribe: (ctx, id, payload) => {
        const { document, errors } = parseOperation(payload.query);
        if (errors !== undefined) return errors;
        // A subscription is work in flight like an HTTP request, and is refused the same way.
        const refusal = socketTickets.admit(ctx, id);
        if (refusal !== undefined) return [new GraphQLError(refusal.message, { originalError: refusal })];
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
      },
      onComplete: (ctx, id) => socketTickets.release(ctx, id),
      onClose: (ctx) => socketTickets.releaseAll(ctx),
      // Errors over the socket go through the same mapping as over HTTP.
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors === undefined
          ? undefined
          : { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) },
      // A stream that fails mid-way reaches the client as an `error` message.
      onError: (ctx, id, _payload, errors) => {
        socketTickets.release(ctx, id);
        return errors.map((error) => formatError(error.toJSON(), error.originalError ?? error));
      },
    },
    wsServer,
  );
  return { dispose: async () => cleanup.dispose() };
}
