import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import graphqlUploadExpress from 'graphql-upload/graphqlUploadExpress.mjs';
import type { Logger } from 'pino';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { ModelCatalog, VisionModel } from './bedrock/index.js';
import { createDescribeImage } from './describe/index.js';
import {
  createFormatError,
  loadTypeDefs,
  retryableRefusalPlugin,
  OPERATION_LIMIT_RULES,
  OPERATION_PARSE_OPTIONS,
  createOperationCache,
  resolvers,
  type GraphQLContext,
} from './graphql/index.js';
import type { Housekeeping } from './housekeeping/index.js';
import { createExportHandler } from './http/createExportHandler.js';
import { IMAGE_LIMITS, type ImageStore, type UrlFetchPolicy } from './images/index.js';
import type { Store } from './store/index.js';
import { createWebRouter } from './web/index.js';
import type { AdmissionConfig, PlaygroundMode } from './config.js';
import { AppError, isAppError } from './errors.js';
import { createAdmission, type Admission, type Ticket } from './http/createAdmission.js';
import { sendAppError } from './http/sendAppError.js';

export interface ServerDeps {
  readonly store: Store;
  readonly model: VisionModel;
  readonly catalog: ModelCatalog;
  readonly defaultModelId: string;
  readonly enforceModelLifecycle: boolean;
  readonly logger: Logger;
  readonly imageStore: ImageStore;
  readonly urlPolicy: UrlFetchPolicy;
  readonly maxUploadBytes: number;
  readonly housekeeping: Housekeeping;
  readonly playground: PlaygroundMode;
  readonly admission: AdmissionConfig;
}

export interface AppServer {
  readonly httpServer: Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops accepting requests and waits for in-flight ones (so their rows complete). */
  stop(): Promise<void>;
}

// Base64 inflates by 4/3: room for the maximum number of maximum-size images plus JSON.
const MAX_BODY_BYTES = Math.ceil((IMAGE_LIMITS.maxImages * IMAGE_LIMITS.maxBytes * 4) / 3) + 1024 * 1024;

/**
 * Builds the HTTP server: GraphQL at /graphql, health at /healthz and /readyz. It opens
 * no connections of its own; everything it talks to arrives in `deps`, so tests build
 * it against a fresh database and the emulator.
 */
export async function createServer(deps: ServerDeps): Promise<AppServer> {
  const { store, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createHttpServer(app);

  const describe = createDescribeImage({
    descriptions: store.descriptions,
    model: deps.model,
    catalog: deps.catalog,
    defaultModelId: deps.defaultModelId,
    enforceModelLifecycle: deps.enforceModelLifecycle,
    logger,
    imageStore: deps.imageStore,
    urlPolicy: deps.urlPolicy,
    maxUploadBytes: deps.maxUploadBytes,
  });
  const context: GraphQLContext = {
    describe,
    catalog: deps.catalog,
    descriptions: store.descriptions,
    history: store.history,
    cursors: store.cursors,
    imageStore: deps.imageStore,
    housekeeping: deps.housekeeping,
  };
  const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers });
  const formatError = createFormatError(logger);
  const admission = createAdmission({ ...deps.admission, maxBodyBytes: MAX_BODY_BYTES });
  const socketTickets = createSocketTickets(admission);
  const parseOperation = createOperationCache(schema);

  // Subscriptions (graphql-ws) share the port and the path with queries and mutations.
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const wsCleanup = useServer(
    {
      schema,
      context: () => context,
      // Parse and validate as over HTTP, operation limits included; errors become an `error` message.
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

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    parseOptions: OPERATION_PARSE_OPTIONS,
    validationRules: [...OPERATION_LIMIT_RULES],
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
      ApolloServerPluginLandingPageDisabled(),
      retryableRefusalPlugin,
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await store.ping();
      res.json({ status: 'ok', database: store.kind });
    } catch (error) {
      logger.warn({ err: error }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable', database: store.kind });
    }
  });
  // The page at /, the playground (GET /graphql from a browser, /playground), assets, sample photo.
  app.use(createWebRouter({ playground: deps.playground, graphqlPath: '/graphql', imageStore: deps.imageStore }));
  // Past the admission bounds a request is refused before its body is read (see createAdmission).
  const admit: RequestHandler = (req, res, next) => {
    let ticket: Ticket;
    try {
      ticket = admission.admit(req);
    } catch (error) {
      if (!isAppError(error)) throw error;
      sendAppError(res, error);
      return;
    }
    res.once('close', () => ticket.release());
    next();
  };
  app.get('/export/history.ndjson', admit, createExportHandler(store.history, logger, 'ndjson'));
  app.get('/export/history.csv', admit, createExportHandler(store.history, logger, 'csv'));
  app.use(
    '/graphql',
    admit,
    express.json({ limit: MAX_BODY_BYTES }),
    // Multipart uploads (GraphQL multipart request spec). Apollo's CSRF prevention stays on:
    // a multipart POST must carry Apollo-Require-Preflight, so a browser form cannot forge one.
    graphqlUploadExpress({
      maxFileSize: deps.maxUploadBytes,
      maxFiles: IMAGE_LIMITS.maxImages,
      maxFieldSize: MAX_BODY_BYTES,
    }),
    expressMiddleware(apollo, {
      context: async () => context,
    }),
  );

  // Body-parser failures (too large, malformed JSON) answered as JSON GraphQL errors.
  const onError: ErrorRequestHandler = (error: { status?: number; type?: string }, _req, res, next) => {
    if (res.headersSent) return next(error);
    sendAppError(res, httpError(error));
  };
  app.use(onError);

  return {
    httpServer,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          resolve(httpServer.address() as AddressInfo);
        });
      });
    },
    async stop() {
      admission.close();
      await apollo.stop();
    },
  };
}

/** An error from the HTTP layer (body parser, upload parser) as the registry's error. */
function httpError(error: { status?: number; type?: string }): AppError {
  const status = error.status ?? 500;
  if (status === 413) return new AppError('PAYLOAD_TOO_LARGE', `Request body is larger than ${MAX_BODY_BYTES} bytes`);
  if (status < 500) return new AppError('BAD_REQUEST', 'Malformed request body');
  return new AppError('INTERNAL_SERVER_ERROR', 'Internal server error', { cause: error });
}

/**
 * Admission tickets of a WebSocket's subscriptions, by socket and operation id, so each is
 * released once whether the operation completes, fails or its socket closes.
 */
function createSocketTickets(admission: Admission) {
  const bySocket = new WeakMap<object, Map<string, Ticket>>();
  return {
    admit(socket: object, id: string): AppError | undefined {
      try {
        const ticket = admission.admitStream();
        const tickets = bySocket.get(socket) ?? new Map<string, Ticket>();
        bySocket.set(socket, tickets);
        tickets.set(id, ticket);
        return undefined;
      } catch (error) {
        if (isAppError(error)) return error;
        throw error;
      }
    },
    release(socket: object, id: string) {
      const tickets = bySocket.get(socket);
      tickets?.get(id)?.release();
      tickets?.delete(id);
    },
    releaseAll(socket: object) {
      for (const ticket of bySocket.get(socket)?.values() ?? []) ticket.release();
      bySocket.delete(socket);
    },
  };
}
