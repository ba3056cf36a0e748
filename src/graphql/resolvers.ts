import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import { forbidden, isAdmin, ownerOf, scopeOf } from '../auth/index.js';
import { badInput } from '../errors.js';
import type { Resolvers } from '../generated/graphql.js';
import { historyCursor, readHistoryPage, scopedHistoryFilter } from '../history/index.js';
import { estimateImageTokens, IMAGE_LIMITS } from '../images/index.js';
import { canonicalTimeZone } from './canonicalTimeZone.js';
import { cancellableStream } from './cancellableStream.js';
import { DateTimeScalar, DecimalScalar } from './scalars.js';
import { toDescribeImageCommand } from './toDescribeImageCommand.js';
import { ATTEMPT_FIELDS, MODEL_ATTEMPT_FIELDS } from './attemptFields.js';
import { COST_TRUTH_FIELDS } from './costTruthFields.js';
import { checkTagKey } from '../describe/index.js';

const SHA256 = /^[0-9a-f]{64}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Thin resolvers: argument shaping and field mapping; the work is in describe/ and store/. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Decimal: DecimalScalar,
  Upload: GraphQLUpload,

  Query: {
    async description(_parent, { id }, { descriptions, caller }) {
      if (!UUID.test(id)) throw badInput('ID_INVALID', 'id must be a UUID');
      return descriptions.findById(id.toLowerCase(), scopeOf(caller));
    },
    models: (_parent, _args, { catalog }) => [...catalog.models],
    settings: (_parent, _args, { settings }) => ({
      ...settings,
      imageMaxBytes: IMAGE_LIMITS.maxBytes,
      imageMaxSide: IMAGE_LIMITS.maxSide,
      maxImages: IMAGE_LIMITS.maxImages,
    }),
    async image(_parent, { sha256 }, { descriptions, caller }) {
      if (!SHA256.test(sha256)) throw badInput('SHA256_INVALID', 'sha256 must be 64 hexadecimal characters');
      return descriptions.findImage(sha256.toLowerCase(), scopeOf(caller));
    },
    history: async (_parent, args, { history, cursors, caller }) => ({
      ...(await readHistoryPage(history, cursors, caller, args)),
      history,
      cursors,
    }),
    usageSummary(_parent, { filter, groupBy, timeZone, groupByTag }, { history, caller }) {
      if (groupBy.includes('API_KEY') && !isAdmin(caller)) throw forbidden('Only admin keys group by API key');
      const zone = canonicalTimeZone(timeZone ?? 'UTC');
      if (zone === undefined) throw badInput('TIME_ZONE_INVALID', `${timeZone} is not an IANA time zone name`);
      const tagKey =
        groupByTag === null || groupByTag === undefined ? undefined : checkTagKey(groupByTag, 'TAGS_INVALID');
      return history.usageSummary(scopedHistoryFilter(caller, filter), groupBy, zone, tagKey);
    },
    previewCost: (_parent, { input }, { previewCost, caller }) =>
      previewCost(toDescribeImageCommand(input, ownerOf(caller))),
  },

  Mutation: {
    describeImage(_parent, { input }, { describe, caller }) {
      return describe.describeImage(toDescribeImageCommand(input, ownerOf(caller)));
    },
    deleteDescription(_parent, { id }, { housekeeping, caller }) {
      if (!UUID.test(id)) throw badInput('ID_INVALID', 'id must be a UUID');
      return housekeeping.deleteDescription(id.toLowerCase(), scopeOf(caller));
    },
  },

  DescriptionConnection: {
    edges: (page) => page.records.map((node) => ({ node, cursor: historyCursor(page.cursors, page, node) })),
    pageInfo: (page) => {
      const first = page.records[0];
      const last = page.records.at(-1);
      return {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: page.hasPreviousPage,
        startCursor: first === undefined ? null : historyCursor(page.cursors, page, first),
        endCursor: last === undefined ? null : historyCursor(page.cursors, page, last),
      };
    },
    totalCount: ({ filter, history }) => history.countHistory(filter),
  },

  Subscription: {
    describeImageStream: {
      // graphql-ws calls return() when the client unsubscribes or goes away, at any moment:
      // it aborts the call at once (see cancellableStream) and the use case records CANCELLED.
      subscribe: (_parent, { input }, { describe, caller }) =>
        cancellableStream(
          (signal) => describe.describeImageStream(toDescribeImageCommand(input, ownerOf(caller)), signal),
          (event) => ({
            describeImageStream:
              event.type === 'delta'
                ? { delta: event.text, description: null }
                : { delta: null, description: event.description },
          }),
        ),
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
    // A FAILED row has usage and a cost too when Bedrock billed an answer that then broke.
    usage: (d) => (d.status === 'PENDING' ? null : d.usage),
    costUsd: (d) => (d.status === 'PENDING' ? null : d.costUsd),
    modelLatencyMs: (d) => (d.status === 'SUCCEEDED' ? d.modelLatencyMs : null),
    latencyMs: (d) => (d.status === 'PENDING' ? null : d.latencyMs),
    bedrockRequestId: (d) => (d.status === 'PENDING' ? null : d.bedrockRequestId),
    completedAt: (d) => (d.status === 'PENDING' ? null : d.completedAt),
    error: (d) => (d.status === 'FAILED' ? d.error : null),
    ...COST_TRUTH_FIELDS,
    ...ATTEMPT_FIELDS,
  },

  ModelAttempt: MODEL_ATTEMPT_FIELDS,
};
