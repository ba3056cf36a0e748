import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type RequestHandler } from 'express';
import type { GraphQLSchema, ValidationRule } from 'graphql';
import graphqlUploadExpress from 'graphql-upload/graphqlUploadExpress.mjs';
import {
  OPERATION_PARSE_OPTIONS,
  legacyJsonStatusPlugin,
  retryableRefusalPlugin,
  type createFormatError,
  type GraphQLContext,
} from '../graphql/index.js';
import type { Caller } from '../auth/index.js';
import { IMAGE_LIMITS } from '../images/index.js';
import type { HttpObservation } from '../telemetry/index.js';
import { holdAdmissionWhile } from './createAdmitMiddleware.js';
import { callerOf } from './createAuthMiddleware.js';
import { inflateJsonBody } from './inflateJsonBody.js';
import { refuseLargeDocument } from './refuseLargeDocument.js';
import { stopSpoolingOnAnswer } from './stopSpoolingOnAnswer.js';

/** How long sockets still busy when Apollo stops may take to send their last answer. */
export const ANSWER_FLUSH_MS = 2_000;

export interface GraphqlHttpRouteDeps {
  readonly httpServer: Server;
  readonly schema: GraphQLSchema;
  readonly context: (caller: Caller) => GraphQLContext;
  readonly formatError: ReturnType<typeof createFormatError>;
  readonly maxBodyBytes: number;
  readonly maxUploadBytes: number;
  /** Validation rules beyond graphql-js's own (operationRules): the same over WebSocket. */
  readonly rules: readonly ValidationRule[];
  /** Runs when Apollo drains, after the HTTP server stops accepting: closes the other transports. */
  readonly onDrain: () => Promise<void>;
  /** Metrics, the log line and the request's span per operation (src/telemetry). */
  readonly observation: HttpObservation<GraphQLContext>;
}

export interface GraphqlHttpRoute {
  /** The handlers for /graphql, after admission: body parsers, then Apollo. */
  readonly handlers: RequestHandler[];
  /** Stops Apollo: drains the HTTP server and runs `onDrain`. */
  stop(): Promise<void>;
}

/**
 * GraphQL over HTTP: JSON and multipart bodies (GraphQL multipart request spec) into
 * Apollo Server, with the operation limits and the one error mapping.
 */
export async function createGraphqlHttpRoute(deps: GraphqlHttpRouteDeps): Promise<GraphqlHttpRoute> {
  const drainOthers: ApolloServerPlugin<GraphQLContext> = {
    async serverWillStart() {
      return { drainServer: deps.onDrain };
    },
  };
  const apollo = new ApolloServer<GraphQLContext>({
    schema: deps.schema,
    formatError: deps.formatError,
    includeStacktraceInErrorResponses: false,
    parseOptions: OPERATION_PARSE_OPTIONS,
    // Off: documents are cached by their text once parsed and validated (Apollo's own cache), and a
    // store of documents by hash that any client can fill is memory this server need not offer.
    persistedQueries: false,
    validationRules: [...deps.rules],
    // main.ts has the one stop path: Apollo's own SIGTERM/SIGINT handler ran stop() a second time,
    // and that call never settled, so nothing after it (model client, database) was ever closed.
    stopOnTerminationSignals: false,
    plugins: [
      // By the time Apollo stops, the server has let its requests finish or cancelled them
      // (stopGracefully): what is left gets a moment to write its answer, then its socket is closed.
      ApolloServerPluginDrainHttpServer({ httpServer: deps.httpServer, stopGracePeriodMillis: ANSWER_FLUSH_MS }),
      drainOthers,
      ApolloServerPluginLandingPageDisabled(),
      // The schema gives no cache hints, so the plugin Apollo installs by default only computed a policy
      // for every resolved field (about 0.2-0.3 ms of the 3.3 ms of CPU a 20-row history page cost, in two
      // paired runs) to arrive at "no-store", which
      // `noStore` (server.ts) now sets once per answer.
      ApolloServerPluginCacheControlDisabled(),
      retryableRefusalPlugin,
      legacyJsonStatusPlugin,
      // Last, so that it sees the status the plugins above set.
      deps.observation.plugin,
    ],
  });
  await apollo.start();
  return {
    handlers: [
      // A compressed body is inflated here under a ratio cap; express.json inflated each up to the limit.
      inflateJsonBody({ maxInflatedBytes: deps.maxBodyBytes, maxRatio: 20 }),
      express.json({ limit: deps.maxBodyBytes }),
      // Apollo's CSRF prevention stays on: a multipart POST must carry Apollo-Require-Preflight,
      // so a browser form cannot forge one.
      graphqlUploadExpress({
        maxFileSize: deps.maxUploadBytes,
        maxFiles: IMAGE_LIMITS.maxImages,
        maxFieldSize: deps.maxBodyBytes,
      }),
      stopSpoolingOnAnswer,
      refuseLargeDocument,
      // With tracing on: the request's span becomes the active one, now that the body has been read.
      ...deps.observation.beforeApollo,
      // The caller was authenticated before the body was read (createAuthMiddleware).
      holdAdmissionWhile(
        expressMiddleware(apollo, {
          context: async ({ res }) => deps.observation.contextOf(deps.context(callerOf(res)), res),
        }),
      ),
    ],
    stop: () => apollo.stop(),
  };
}
