import { makeExecutableSchema } from '@graphql-tools/schema';
import { getVariableValues, parse, type GraphQLInputObjectType, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadTypeDefs, resolvers } from '../../src/graphql/index.js';
import { toHistoryFilter } from '../../src/history/index.js';
import { parseExportQuery } from '../../src/http/parseExportQuery.js';

/**
 * History has two doors: GraphQL's `filter` variable and the export's query parameters. Both are
 * coerced from the schema's HistoryFilter input and checked by history/toHistoryFilter; here the
 * same filter goes through each and must come out as the same store filter, or the same refusal.
 */
const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers });
const filterType = schema.getType('HistoryFilter') as GraphQLInputObjectType;
const operation = parse('query($f: HistoryFilter) { history(filter: $f) { totalCount } }')
  .definitions[0] as OperationDefinitionNode;

/** The GraphQL door: the variable coerced exactly as execution coerces it, then checked. */
function throughGraphql(filter: Record<string, unknown>) {
  const { coerced, errors } = getVariableValues(schema, operation.variableDefinitions ?? [], { f: filter });
  if (errors !== undefined) throw errors[0]!.originalError ?? errors[0];
  return toHistoryFilter(coerced!.f as never);
}

const throughExport = (query: Record<string, string | string[]>) =>
  toHistoryFilter(parseExportQuery(query, filterType));

const refusal = (read: () => unknown) => {
  try {
    read();
  } catch (error) {
    const { code, reason, message } = error as { code?: unknown; reason?: unknown; message: string };
    return { code, reason, message };
  }
  throw new Error('expected a refusal');
};

describe('history filters through GraphQL and the export', () => {
  it('turn the same filter into the same store filter, field by field', () => {
    const viaGraphql = throughGraphql({
      createdAfter: '2026-01-01T00:00:00Z',
      createdBefore: '2026-02-01T00:00:00+01:00',
      status: ['FAILED', 'SUCCEEDED'],
      modelId: ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-sonnet-4-5-20250929-v1:0'],
      api: ['CONVERSE'],
      search: 'Café',
      minInputTokens: 1,
      maxInputTokens: 500,
      minCostUsd: '0.0001',
      maxCostUsd: '0.25',
      minLatencyMs: 0,
      errorCode: 'UPSTREAM_TIMEOUT',
      imageSha256: 'AB'.repeat(32),
      clientRequestId: 'req-1',
      provider: ['EMULATOR'],
      serviceTier: ['DEFAULT', 'FLEX'],
      tags: ['team=vision'],
      usageKnown: false,
      cached: true,
    });
    const viaExport = throughExport({
      createdAfter: '2026-01-01T00:00:00Z',
      createdBefore: '2026-02-01T00:00:00+01:00',
      // Lists as repeated parameters, comma-separated, or both.
      status: ['FAILED', 'SUCCEEDED'],
      modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0,anthropic.claude-sonnet-4-5-20250929-v1:0',
      api: 'CONVERSE',
      search: 'Café',
      minInputTokens: '1',
      maxInputTokens: '500',
      minCostUsd: '0.0001',
      maxCostUsd: '0.25',
      minLatencyMs: '0',
      errorCode: 'UPSTREAM_TIMEOUT',
      imageSha256: 'AB'.repeat(32),
      clientRequestId: 'req-1',
      provider: 'EMULATOR',
      serviceTier: ['DEFAULT,FLEX'],
      tags: 'team=vision',
      usageKnown: 'false',
      cached: 'true',
    });
    expect(viaExport).toEqual(viaGraphql);
    // What the store is handed: a profile and its base model are one model, search in NFC, hashes in lower case.
    expect(viaGraphql).toMatchObject({
      baseModelId: ['anthropic.claude-sonnet-4-5-20250929-v1:0'],
      search: 'Café'.normalize('NFC'),
      imageSha256: 'ab'.repeat(32),
      costUsd: { min: '0.0001', max: '0.25' },
      latencyMs: { min: 0, max: undefined },
    });
  });

  it('refuse the same bad filter with the same FILTER_INVALID and message', () => {
    const pairs: [Record<string, unknown>, Record<string, string>][] = [
      [
        { minLatencyMs: 5, maxLatencyMs: 3 },
        { minLatencyMs: '5', maxLatencyMs: '3' },
      ],
      [
        { modelId: Array.from({ length: 101 }, (_, i) => `m${i}`) },
        { modelId: Array.from({ length: 101 }, (_, i) => `m${i}`).join(',') },
      ],
      [{ imageSha256: 'not-a-hash' }, { imageSha256: 'not-a-hash' }],
      [{ search: 'a\u0000b' }, { search: 'a\u0000b' }],
      [
        { createdAfter: '2026-02-01T00:00:00Z', createdBefore: '2026-01-01T00:00:00Z' },
        { createdAfter: '2026-02-01T00:00:00Z', createdBefore: '2026-01-01T00:00:00Z' },
      ],
    ];
    for (const [variable, query] of pairs) {
      const viaGraphql = refusal(() => throughGraphql(variable));
      expect(viaGraphql).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'FILTER_INVALID' });
      expect(refusal(() => throughExport(query))).toEqual(viaGraphql);
    }
  });
});
