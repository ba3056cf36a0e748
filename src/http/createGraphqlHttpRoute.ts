import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type RequestHandler } from 'express';
import type { GraphQLSchema } from 'graphql';
import graphqlUploadExpress from 'graphql-upload/graphqlUploadExpress.mjs';
import {
  OPERATION_LIMIT_RULES,
  OPERATION_PARSE_OPTIONS,
  retryableRefusalPlugin,
  type createFormatError,
  type GraphQLContext,
} from '../graphql/index.js';
import { IMAGE_LIMITS } from '../images/index.js';

export interface GraphqlHttpRouteDeps {
  readonly httpServer: Server;
  readonly schema: GraphQLSchema;
  readonly context: () => GraphQLContext;
  readonly formatError: ReturnType<typeof createFormatError>;
  readonly maxBodyBytes: number;
  readonly maxUploadBytes: number;
  /** Runs when Apollo drains, after the HTTP server stops accepting: closes the other transports. */
  readonly onDrain: () => Promise<void>;
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
    validationRules: [...OPERATION_LIMIT_RULES],
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: deps.httpServer }),
      drainOthers,
      ApolloServerPluginLandingPageDisabled(),
      retryableRefusalPlugin,
    ],
  });
  await apollo.start();
  return {
    handlers: [
      express.json({ limit: deps.maxBodyBytes }),
      // Apollo's CSRF prevention stays on: a multipart POST must carry Apollo-Require-Preflight,
      // so a browser form cannot forge one.
      graphqlUploadExpress({
        maxFileSize: deps.maxUploadBytes,
        maxFiles: IMAGE_LIMITS.maxImages,
        maxFieldSize: deps.maxBodyBytes,
      }),
      expressMiddleware(apollo, { context: async () => deps.context() }),
    ],
    stop: () => apollo.stop(),
  };
}
