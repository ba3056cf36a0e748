import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.js';
import { OPERATION_LIMITS } from '../src/graphql/index.js';
import { expectData, expectErrorCode } from './helpers/graphqlClient.js';
import { solidImage, toBase64 } from './helpers/images.js';
import { COUNT } from './helpers/operations.js';
import { subscribe, wsClient } from './helpers/subscribe.js';
import { startTestApp, type TestApp } from './helpers/startTestApp.js';

const aliasedDescribes = (n: number) =>
  `mutation($input: DescribeImageInput!) { ${Array.from({ length: n }, (_, i) => `d${i}: describeImage(input: $input) { id }`).join(' ')} }`;
const nestedFragments = (n: number): string => (n === 0 ? '__typename' : `... on Query { ${nestedFragments(n - 1)} }`);

describe('operation limits', () => {
  let t: TestApp;
  let input: { image: { base64: string } };

  beforeAll(async () => {
    t = await startTestApp('pglite');
    input = { image: { base64: toBase64(await solidImage(16, 16)) } };
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(() => {
    t.emulator.resetCalls();
  });

  const ledgerSize = async () => expectData(await t.gql(COUNT)).history.totalCount as number;

  it('refuses more aliased describe calls than allowed before any reaches the model or the ledger', async () => {
    const before = await ledgerSize();
    const res = await t.gql(aliasedDescribes(OPERATION_LIMITS.maxAliases + 1), { input });
    // A request error answered as application/json is a 200, as GraphQL over HTTP asks (see test/hostile).
    expect(res.status).toBe(200);
    expectErrorCode(res, 'GRAPHQL_VALIDATION_FAILED');
    expect(res.errors![0]!.message).toContain(`Aliases limit of ${OPERATION_LIMITS.maxAliases}`);
    expect(t.emulator.calls).toHaveLength(0);
    expect(await ledgerSize()).toBe(before);
  });

  it('runs an operation at the alias limit', async () => {
    const data = expectData(await t.gql(aliasedDescribes(2), { input }));
    expect(Object.keys(data)).toEqual(['d0', 'd1']);
    const atLimit = `{ ${Array.from({ length: OPERATION_LIMITS.maxAliases }, (_, i) => `m${i}: models { id }`).join(' ')} }`;
    expect(Object.keys(expectData(await t.gql(atLimit)))).toHaveLength(OPERATION_LIMITS.maxAliases);
  });

  it('refuses selections nested deeper than allowed, and answers up to the limit', async () => {
    expectErrorCode(await t.gql(`{ ${nestedFragments(OPERATION_LIMITS.maxDepth)} }`), 'GRAPHQL_VALIDATION_FAILED');
    expect(expectData(await t.gql(`{ ${nestedFragments(OPERATION_LIMITS.maxDepth - 1)} }`))).toEqual({
      __typename: 'Query',
    });
  });

  it('refuses more directives than allowed', async () => {
    // The same field repeated merges into one, so only the directive count grows.
    const fields = (n: number) => Array.from({ length: n }, () => '__typename @include(if: true)').join(' ');
    expectErrorCode(await t.gql(`{ ${fields(OPERATION_LIMITS.maxDirectives + 1)} }`), 'GRAPHQL_VALIDATION_FAILED');
    expect(expectData(await t.gql(`{ ${fields(OPERATION_LIMITS.maxDirectives)} }`))).toEqual({ __typename: 'Query' });
  });

  it('stops parsing a document with more tokens than allowed, and answers one at the limit', async () => {
    // `{ usageSummary ( groupBy : [` … `] ) { requests } }`: 12 tokens around the list. (Not a filter
    // list: those are capped at 100 entries.)
    const document = (tokens: number) =>
      `{ usageSummary(groupBy: [${Array.from({ length: tokens - 12 }, () => 'STATUS').join(' ')}]) { requests } }`;
    const res = await t.gql(document(OPERATION_LIMITS.maxTokens + 1));
    expect(res.status).toBe(200);
    expectErrorCode(res, 'GRAPHQL_PARSE_FAILED');
    expect(expectData(await t.gql(document(OPERATION_LIMITS.maxTokens))).usageSummary.length).toBeGreaterThan(0);
  });

  it('states the limits in the error registry as they are enforced', () => {
    const n = (value: number) => value.toLocaleString('en-US').replace(/,/g, ' ');
    expect(ERROR_CODES.GRAPHQL_PARSE_FAILED.doc).toContain(`more than ${n(OPERATION_LIMITS.maxTokens)} tokens`);
    expect(ERROR_CODES.GRAPHQL_VALIDATION_FAILED.doc).toContain(`more than ${OPERATION_LIMITS.maxAliases} aliases`);
    expect(ERROR_CODES.GRAPHQL_VALIDATION_FAILED.doc).toContain(`nested deeper than ${OPERATION_LIMITS.maxDepth}`);
    expect(ERROR_CODES.GRAPHQL_VALIDATION_FAILED.doc).toContain(
      `more than ${OPERATION_LIMITS.maxDirectives} directives`,
    );
  });

  it("answers GraphiQL's introspection query", async () => {
    const data = expectData(await t.gql(getIntrospectionQuery()));
    expect(data.__schema.queryType.name).toBe('Query');
  });

  it('applies the same parsing and limits to subscriptions over WebSocket, with the same codes', async () => {
    const client = wsClient(t.url);
    try {
      const aliases = Array.from({ length: OPERATION_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: delta`).join(' ');
      const tooMany = subscribe(
        client,
        `subscription($input: DescribeImageInput!) { describeImageStream(input: $input) { ${aliases} } }`,
        {
          input,
        },
      );
      await expect(tooMany.done).rejects.toMatchObject({
        errors: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }],
      });
      const broken = subscribe(client, 'subscription { describeImageStream(', {});
      await expect(broken.done).rejects.toMatchObject({ errors: [{ extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] });
      const unknownField = subscribe(client, 'subscription { noSuchField }', {});
      await expect(unknownField.done).rejects.toMatchObject({
        errors: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }],
      });
      expect(t.emulator.calls).toHaveLength(0);
      // The socket stayed open through the refusals: a valid stream still runs on it.
      const ok = await subscribe<{ describeImageStream: { delta: string | null } }>(
        client,
        'subscription($input: DescribeImageInput!) { describeImageStream(input: $input) { delta } }',
        { input },
      ).done;
      expect(ok.length).toBeGreaterThan(1);
    } finally {
      await client.dispose();
    }
  });
});
