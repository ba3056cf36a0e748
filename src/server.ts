import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Logger } from 'pino';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { ModelCatalog, VisionModel } from './bedrock/index.js';
import { createDescribeImage } from './describe/index.js';
import {
  createFormatError,
  loadTypeDefs,
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
import { createAdmission } from './http/createAdmission.js';
import { createAdmitMiddleware } from './http/createAdmitMiddleware.js';
import { createGraphqlHttpRoute } from './http/createGraphqlHttpRoute.js';
import { createGraphqlWebSocket } from './http/createGraphqlWebSocket.js';
import { createHealthRouter } from './http/createHealthRouter.js';
import { createHttpErrorHandler } from './http/httpError.js';

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
 * Builds the HTTP server and wires its transports: GraphQL over HTTP and over WebSocket at
 * /graphql, the history export, health at /healthz and /readyz, and the page. It opens no
 * connections of its own; everything it talks to arrives in `deps`, so tests build it
 * against a fresh database and the emulator.
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
    settings: { defaultModelId: deps.defaultModelId, uploadMaxBytes: deps.maxUploadBytes },
  };
  const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers });
  const formatError = createFormatError(logger);
  const admission = createAdmission({ ...deps.admission, maxBodyBytes: MAX_BODY_BYTES });
  const admit = createAdmitMiddleware(admission);

  const webSocket = createGraphqlWebSocket({
    httpServer,
    path: '/graphql',
    schema,
    context: () => context,
    formatError,
    parseOperation: createOperationCache(schema),
    admission,
  });
  const graphqlHttp = await createGraphqlHttpRoute({
    httpServer,
    schema,
    context: () => context,
    formatError,
    maxBodyBytes: MAX_BODY_BYTES,
    maxUploadBytes: deps.maxUploadBytes,
    onDrain: () => webSocket.dispose(),
  });

  app.use(createHealthRouter(store, logger));
  // The page at /, the playground (GET /graphql from a browser, /playground), assets, sample photo.
  app.use(createWebRouter({ playground: deps.playground, graphqlPath: '/graphql', imageStore: deps.imageStore }));
  app.get('/export/history.ndjson', admit, createExportHandler(store.history, logger, 'ndjson'));
  app.get('/export/history.csv', admit, createExportHandler(store.history, logger, 'csv'));
  app.use('/graphql', admit, ...graphqlHttp.handlers);
  app.use(createHttpErrorHandler(MAX_BODY_BYTES));

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
      await graphqlHttp.stop();
    },
  };
}
