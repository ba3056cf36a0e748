import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import { badInput } from '../errors.js';
import type { Resolvers } from '../generated/graphql.js';
import { estimateImageTokens } from '../images/index.js';
import { decodeHistoryCursor, encodeHistoryCursor } from '../store/index.js';
import { DateTimeScalar, DecimalScalar } from './scalars.js';
import { toHistoryFilter } from './toHistoryFilter.js';

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;
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
    async image(_parent, { sha256 }, { descriptions }) {
      if (!SHA256.test(sha256)) throw badInput('SHA256_INVALID', 'sha256 must be 64 hexadecimal characters');
      return descriptions.findImage(sha256.toLowerCase());
    },
    async history(_parent, args, { descriptions }) {
      const first = args.first ?? DEFAULT_PAGE_SIZE;
      if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
        throw badInput('PAGE_SIZE_INVALID', `first must be between 1 and ${MAX_PAGE_SIZE}`);
      }
      const after = args.after === null || args.after === undefined ? undefined : decodeHistoryCursor(args.after);
      const filter = toHistoryFilter(args.filter);
      const page = await descriptions.listHistory(filter, first, after);
      return { page, filter, descriptions, hasPreviousPage: after !== undefined };
    },
  },

  Mutation: {
    describeImage(_parent, { input }, { describeImage }) {
      return describeImage(input);
    },
  },

  DescriptionConnection: {
    edges: ({ page }) => page.records.map((node) => ({ node, cursor: encodeHistoryCursor(node) })),
    pageInfo: ({ page, hasPreviousPage }) => {
      const first = page.records[0];
      const last = page.records.at(-1);
      return {
        hasNextPage: page.hasNextPage,
        hasPreviousPage,
        startCursor: first === undefined ? null : encodeHistoryCursor(first),
        endCursor: last === undefined ? null : encodeHistoryCursor(last),
      };
    },
    totalCount: ({ filter, descriptions }) => descriptions.countHistory(filter),
  },

  ImageInfo: {
    estimatedTokens: (image) => estimateImageTokens(image.width, image.height),
  },

  StoredImage: {
    estimatedTokens: (image) => estimateImageTokens(image.width, image.height),
    bytesStored: (image, _args, { imageStore }) => imageStore.has(image.sha256),
  },

  Description: {
    text: (d) => (d.status === 'SUCCEEDED' ? d.text : null),
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
