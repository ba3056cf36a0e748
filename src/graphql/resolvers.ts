import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import { badInput } from '../errors.js';
import type { Resolvers } from '../generated/graphql.js';
import { estimateImageTokens } from '../images/index.js';
import { resolveHistory } from './resolveHistory.js';
import { DateTimeScalar, DecimalScalar } from './scalars.js';
import { toDescribeImageCommand } from './toDescribeImageCommand.js';
import { toHistoryFilter } from './toHistoryFilter.js';

const SHA256 = /^[0-9a-f]{64}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Thin resolvers: argument shaping and field mapping; the work is in describe/ and store/. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Decimal: DecimalScalar,
  Upload: GraphQLUpload,

  Query: {
    async description(_parent, { id }, { descriptions }) {
      if (!UUID.test(id)) throw badInput('ID_INVALID', 'id must be a UUID');
      return descriptions.findById(id.toLowerCase());
    },
    models: (_parent, _args, { catalog }) => [...catalog.models],
    async image(_parent, { sha256 }, { descriptions }) {
      if (!SHA256.test(sha256)) throw badInput('SHA256_INVALID', 'sha256 must be 64 hexadecimal characters');
      return descriptions.findImage(sha256.toLowerCase());
    },
    history: (_parent, args, context) => resolveHistory(args, context),
    usageSummary(_parent, { filter, groupBy, timeZone }, { history }) {
      const zone = timeZone ?? 'UTC';
      if (zone !== 'UTC' && !Intl.supportedValuesOf('timeZone').includes(zone)) {
        throw badInput('TIME_ZONE_INVALID', `${zone} is not an IANA time zone name`);
      }
      return history.usageSummary(toHistoryFilter(filter), groupBy, zone);
    },
  },

  Mutation: {
    describeImage(_parent, { input }, { describe }) {
      return describe.describeImage(toDescribeImageCommand(input));
    },
    deleteDescription(_parent, { id }, { housekeeping }) {
      if (!UUID.test(id)) throw badInput('ID_INVALID', 'id must be a UUID');
      return housekeeping.deleteDescription(id.toLowerCase());
    },
  },

  DescriptionConnection: {
    edges: ({ records, order, cursors }) => records.map((node) => ({ node, cursor: cursors.encode(order, node) })),
    pageInfo: ({ records, order, cursors, hasNextPage, hasPreviousPage }) => {
      const first = records[0];
      const last = records.at(-1);
      return {
        hasNextPage,
        hasPreviousPage,
        startCursor: first === undefined ? null : cursors.encode(order, first),
        endCursor: last === undefined ? null : cursors.encode(order, last),
      };
    },
    totalCount: ({ filter, history }) => history.countHistory(filter),
  },

  Subscription: {
    describeImageStream: {
      // graphql-ws calls return() on this generator when the client unsubscribes or goes
      // away; aborting then cancels the Bedrock stream and the use case records CANCELLED.
      async *subscribe(_parent, { input }, { describe }) {
        const controller = new AbortController();
        try {
          for await (const event of describe.describeImageStream(toDescribeImageCommand(input), controller.signal)) {
            yield {
              describeImageStream:
                event.type === 'delta'
                  ? { delta: event.text, description: null }
                  : { delta: null, description: event.description },
            };
          }
        } finally {
          controller.abort();
        }
      },
    },
  },

  Model: {
    supportsInvokeModel: (model) => model.anthropicMessagesBody,
    endOfLifeDate: (model) => model.endOfLifeDate ?? null,
    cacheReadUsdPerMillion: (model) => model.cacheReadUsdPerMillion ?? null,
    cacheWriteUsdPerMillion: (model) => model.cacheWriteUsdPerMillion ?? null,
  },

  ImageInfo: {
    estimatedTokens: (image) => estimateImageTokens(image.width, image.height),
  },

  StoredImage: {
    estimatedTokens: (image) => estimateImageTokens(image.width, image.height),
    bytesStored: (image, _args, { imageStore }) => imageStore.has(image.sha256),
  },

  Description: {
    text: (d) => (d.status === 'SUCCEEDED' ? d.text : d.status === 'FAILED' ? d.partialText : null),
    stopReason: (d) => (d.status === 'SUCCEEDED' ? d.stopReason : null),
    usage: (d) => (d.status === 'SUCCEEDED' ? d.usage : null),
    costUsd: (d) => (d.status === 'SUCCEEDED' ? d.costUsd : null),
    modelLatencyMs: (d) => (d.status === 'SUCCEEDED' ? d.modelLatencyMs : null),
    latencyMs: (d) => (d.status === 'PENDING' ? null : d.latencyMs),
    bedrockRequestId: (d) => (d.status === 'PENDING' ? null : d.bedrockRequestId),
    completedAt: (d) => (d.status === 'PENDING' ? null : d.completedAt),
    error: (d) => (d.status === 'FAILED' ? d.error : null),
  },
};
