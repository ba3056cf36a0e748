import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Logger } from 'pino';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLInputObjectType } from 'graphql';
import type { ModelCatalog, VisionModel } from './bedrock/index.js';
import { createDescribeImage, createPreviewCost, type EstimateFactors } from './describe/index.js';
import {
  createFormatError,
  loadTypeDefs,
  createOperationCache,
  operationRules,
  resolvers,
  type GraphQLContext,
} from './graphql/index.js';
import type { Housekeeping } from './housekeeping/index.js';
import { createExportHandler } from './http/createExportHandler.js';
import { IMAGE_LIMITS, intakeImages, type ImageStore, type UrlFetchPolicy } from './images/index.js';
import type { Store } from './store/index.js';
import { createWebRouter } from './web/index.js';
import type { AdmissionConfig, HttpConfig, PlaygroundMode } from './config.js';
import { answerClientErrors } from './http/answerClientErrors.js';
import { acceptInParallel, type ParallelAccept } from './http/acceptInParallel.js';
import { applyConnectionLimits } from './http/applyConnectionLimits.js';
import { createCors } from './http/createCors.js';
import { createAdmission } from './http/createAdmission.js';
import { expressMessageClasses } from './http/expressMessageClasses.js';
import { createAdmitMiddleware, holdAdmissionWhile } from './http/createAdmitMiddleware.js';
import { ANSWER_FLUSH_MS, createGraphqlHttpRoute } from './http/createGraphqlHttpRoute.js';
import { createGraphqlWebSocket } from './http/createGraphqlWebSocket.js';
import { createHealthRouter } from './http/createHealthRouter.js';
import { createHttpErrorHandler } from './http/httpError.js';
import { createDrain } from './http/createDrain.js';
import { stopGracefully } from './http/stopGracefully.js';
import { noStore } from './http/noStore.js';
import { createAuthMiddleware } from './http/createAuthMiddleware.js';
import { createImageAccessGuard } from './http/createImageAccessGuard.js';
import type { Authenticator, Caller, RateLimiter } from './auth/index.js';
import {
  createHttpObservation,
  createMetricsHandler,
  createSocketTracking,
  instrumentIntake,
  type Telemetry,
} from './telemetry/index.js';

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
  /** How long a duplicate of a running request waits for its outcome. */
  readonly idempotencyWaitMs: number;
  /** The exact-request cache (CACHE_DEFAULT, CACHE_TTL); absent: used only by requests that ask, for a day. */
  readonly cache?: { readonly byDefault: boolean; readonly ttlSeconds: number };
  /** Who is calling, on every transport (open mode while no API key exists). */
  readonly authenticator: Authenticator;
  readonly rateLimiter: RateLimiter;
  /** How long a stop lets requests and streams in flight finish before cancelling them (SHUTDOWN_GRACE_MS). */
  readonly shutdownGraceMs: number;
  /** NODE_ENV=production: no schema hints, no introspection, one billable call per operation. */
  readonly production: boolean;
  /** Connection limits and the origins whose pages may call the API. */
  readonly http: HttpConfig;
  /** Metrics always, traces when an OTLP endpoint is configured (src/telemetry). */
  readonly telemetry: Telemetry;
  /** Client addresses (CIDR) that may read /metrics (METRICS_ALLOW). */
  readonly metricsAllow: readonly string[];
  /** The estimate's calibration factors, shared by describeImage and previewCost (absent: the rule as it is). */
  readonly calibration?: EstimateFactors;
}

export interface AppServer {
  readonly httpServer: Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /**
   * Stops accepting requests, lets those in flight finish within the grace, cancels the rest (their rows closed
   * INTERRUPTED), then closes the transports. Call it once.
   */
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
  // Timeouts are checked every second, not Node's 30 s, so a silent connection cannot outlive them by much.
  const httpServer = createHttpServer({ connectionsCheckingInterval: 1_000, ...expressMessageClasses(app) }, app);
  applyConnectionLimits(httpServer, deps.http);
  answerClientErrors(httpServer, deps.http.requestTimeoutMs);
  const allowedOrigins = new Set(deps.http.corsOrigins);

  const shutdown = new AbortController();
  const drain = createDrain();
  const describe = createDescribeImage({
    shutdown: shutdown.signal,
    draining: () => drain.draining,
    descriptions: store.descriptions,
    model: deps.model,
    catalog: deps.catalog,
    defaultModelId: deps.defaultModelId,
    enforceModelLifecycle: deps.enforceModelLifecycle,
    logger,
    imageStore: deps.imageStore,
    urlPolicy: deps.urlPolicy,
    maxUploadBytes: deps.maxUploadBytes,
    idempotencyWaitMs: deps.idempotencyWaitMs,
    cache: deps.cache,
    intakeImages: instrumentIntake(intakeImages, deps.telemetry),
    calibration: deps.calibration,
  });
  const shared: Omit<GraphQLContext, 'caller'> = {
    describe,
    previewCost: createPreviewCost({
      catalog: deps.catalog,
      defaultModelId: deps.defaultModelId,
      urlPolicy: deps.urlPolicy,
      maxUploadBytes: deps.maxUploadBytes,
      calibration: deps.calibration,
    }),
    catalog: deps.catalog,
    descriptions: store.descriptions,
    history: store.history,
    cursors: store.cursors,
    imageStore: deps.imageStore,
    housekeeping: deps.housekeeping,
    settings: { defaultModelId: deps.defaultModelId, uploadMaxBytes: deps.maxUploadBytes },
  };
  const contextFor = (caller: Caller): GraphQLContext => ({ ...shared, caller });
  const authenticate = createAuthMiddleware(deps.authenticator, deps.rateLimiter);
  const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers });
  const formatError = createFormatError(logger, { hideSchemaDetails: deps.production });
  const rules = operationRules({ production: deps.production });
  const { metrics, tracing } = deps.telemetry;
  const admission = createAdmission(
    { ...deps.admission, maxBodyBytes: MAX_BODY_BYTES },
    (reason) => metrics.admissionRefusals.inc({ reason }),
    () => store.poolUsage()?.queueDelayMs ?? 0,
  );
  metrics.watchAdmission(() => admission);
  const admit = createAdmitMiddleware(admission);
  const observed = { metrics, tracing, logger, defaultModelId: deps.defaultModelId };
  const httpObservation = createHttpObservation<GraphQLContext>(observed);

  const webSocket = createGraphqlWebSocket({
    httpServer,
    path: '/graphql',
    schema,
    context: contextFor,
    formatError,
    parseOperation: createOperationCache(schema, rules),
    allowedOrigins,
    maxMessageBytes: MAX_BODY_BYTES,
    admission,
    authenticator: deps.authenticator,
    rateLimiter: deps.rateLimiter,
    observation: createSocketTracking(observed),
    draining: () => drain.draining,
  });
  const graphqlHttp = await createGraphqlHttpRoute({
    httpServer,
    schema,
    context: contextFor,
    formatError,
    maxBodyBytes: MAX_BODY_BYTES,
    maxUploadBytes: deps.maxUploadBytes,
    rules,
    onDrain: () => webSocket.dispose(),
    observation: httpObservation,
  });

  // Ledger data, and every refusal on its doors (the drain's included), is never kept by a cache.
  app.use(['/graphql', '/export'], noStore);
  // While the server stops, /readyz says so and new requests are refused.
  app.use(drain.middleware);
  // Closed unless CORS_ORIGINS lists an origin; the built-in page and playground are same-origin.
  app.use(createCors(allowedOrigins));
  // The request's id, start and span come first, so that a refusal carries its id too.
  const graphqlChain = [httpObservation.start, admit, authenticate, ...graphqlHttp.handlers];
  // A POST to /graphql, the request this server exists for, skips the routers below: none of them answers a POST,
  // and walking their layers was 1.3 % of the main thread's CPU (the router's share fell from 3.1 % to 1.8 % in an
  // on-CPU profile at 150/s, README "The main thread on the CPU, by owner"). Middleware every request needs goes
  // above this line.
  app.post('/graphql', ...graphqlChain);
  app.use(createHealthRouter(store, logger));
  // From METRICS_ALLOW's addresses, or with an admin API key from anywhere.
  const isAdminRequest = async (req: { headers: { authorization?: string | undefined } }) => {
    if (req.headers.authorization === undefined) return false;
    const caller = await deps.authenticator.authenticate(req.headers.authorization);
    return caller.kind === 'key' && caller.key.admin;
  };
  app.get('/metrics', createMetricsHandler(metrics, deps.metricsAllow, isAdminRequest));
  // Stored image bytes: a key reads only images its own rows sent (the web router serves them).
  app.get('/images/:sha256', admit, authenticate, createImageAccessGuard(store.descriptions));
  // The page at /, the playground (GET /graphql from a browser, /playground), assets, sample photo.
  app.use(
    createWebRouter({
      playground: deps.playground,
      graphqlPath: '/graphql',
      imageStore: deps.imageStore,
      emulated: deps.model.provider === 'EMULATOR',
    }),
  );
  const filterType = schema.getType('HistoryFilter') as GraphQLInputObjectType;
  for (const format of ['ndjson', 'csv'] as const) {
    app.get(
      `/export/history.${format}`,
      admit,
      authenticate,
      // The export's reads run on after its client left, until they see it: they hold their slot.
      holdAdmissionWhile(createExportHandler(store.history, logger, format, filterType)),
    );
  }
  // Every other request to /graphql (a GET the playground did not take, /graphql/…) after the routers above.
  app.use('/graphql', ...graphqlChain);
  app.use(createHttpErrorHandler(MAX_BODY_BYTES));

  let parallelAccept: ParallelAccept | undefined;
  let stopping = false;
  return {
    httpServer,
    async listen(port, host) {
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      parallelAccept = await acceptInParallel(httpServer, deps.http.acceptHandles, logger);
      // A stop that came while the descriptors were being opened did not see them.
      if (stopping) parallelAccept.close();
      return httpServer.address() as AddressInfo;
    },
    async stop() {
      await stopGracefully({
        drain,
        calls: describe,
        quiet: () => admission.inFlight === 0,
        graceMs: deps.shutdownGraceMs,
        interrupt: () => shutdown.abort(),
        closeTransports: async () => {
          // The other descriptors stop accepting when the server's own does.
          stopping = true;
          parallelAccept?.close();
          const started = Date.now();
          await graphqlHttp.stop();
          // Apollo's drain waited for the connections of the server's own descriptor; those the others accepted get
          // what is left of the same grace.
          await parallelAccept?.closeConnections(Math.max(0, ANSWER_FLUSH_MS - (Date.now() - started)));
        },
        logger,
      });
      admission.close();
    },
  };
}
