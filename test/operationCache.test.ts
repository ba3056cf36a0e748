import { print } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperationCache, loadTypeDefs, resolvers } from '../src/graphql/index.js';
import { MAX_CACHED_CHARS } from '../src/graphql/createOperationCache.js';
import { expectData } from './helpers/graphqlClient.js';
import { startTestApp, type TestApp } from './helpers/startTestApp.js';
import { wsClient } from './helpers/subscribe.js';

describe('the parsed-operation cache', () => {
  const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers });

  it('parses a text once and hands back the same document for it', () => {
    const parse = createOperationCache(schema);
    const first = parse('{ models { id } }');
    expect(first.errors).toBeUndefined();
    expect(parse('{ models { id } }').document).toBe(first.document);
  });

  it('holds at most MAX_CACHED_CHARS of text: long documents padded with comments push the oldest out', () => {
    const parse = createOperationCache(schema);
    // Comments do not count as tokens, so each passes the operation limits while holding 60 K characters.
    const padded = (i: number) => `# ${i} ${'x'.repeat(60_000)}\n{ models { id } }`;
    const first = parse(padded(0)).document;
    expect(parse(padded(0)).document).toBe(first);
    for (let i = 1; i <= Math.ceil(MAX_CACHED_CHARS / 60_000); i += 1) parse(padded(i));
    expect(parse(padded(0)).document).not.toBe(first);
    // A short operation still stays: the bound is on characters, not only on count.
    const short = parse('{ models { id } }').document;
    expect(parse('{ models { id } }').document).toBe(short);
  });

  it('never gives one text the document of another, however alike', () => {
    const parse = createOperationCache(schema);
    const texts = ['{ models { id } }', '{ models { id name } }', '{models{id}}', 'query A { models { id } }'];
    for (let round = 0; round < 2; round += 1) {
      for (const text of texts) expect(print(parse(text).document!)).toBe(print(parse(text).document!));
      expect(new Set(texts.map((text) => parse(text).document)).size).toBe(texts.length);
    }
    expect(print(parse('{ models { id name } }').document!)).toContain('name');
    expect(print(parse('{ models { id } }').document!)).not.toContain('name');
  });

  it('keeps no refusal: an invalid text is refused every time, and never shadows a valid one', () => {
    const parse = createOperationCache(schema);
    expect(parse('{ models { nope } }').errors?.[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(parse('{ models { nope } }').errors?.[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(parse('{ models { id } }').errors).toBeUndefined();
  });
});

describe('operations sent again and again, over HTTP and WebSocket', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answer each operation with its own result, interleaved', async () => {
    const one = '{ models { id } }';
    const two = '{ models { id inputUsdPerMillion } }';
    const client = wsClient(t.url);
    try {
      const overSocket = (query: string) =>
        new Promise<Record<string, unknown>>((resolve, reject) => {
          let data: Record<string, unknown> | undefined;
          client.subscribe(
            { query },
            { next: (r) => (data = r.data as Record<string, unknown>), error: reject, complete: () => resolve(data!) },
          );
        });
      for (let round = 0; round < 3; round += 1) {
        const [a, b, c, d] = await Promise.all([t.gql(one), t.gql(two), overSocket(one), overSocket(two)]);
        const models = (x: unknown) => (x as { models: Record<string, unknown>[] }).models;
        for (const model of [...models(expectData(a!)), ...models(c)]) expect(Object.keys(model)).toEqual(['id']);
        for (const model of [...models(expectData(b!)), ...models(d)]) {
          expect(Object.keys(model)).toEqual(['id', 'inputUsdPerMillion']);
        }
      }
    } finally {
      await client.dispose();
    }
  });
});
