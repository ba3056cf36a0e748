import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestKey, type TestKey } from '../helpers/apiKeys.js';
import { expectData, expectErrorCode, gql, type GraphQLResponse } from '../helpers/graphqlClient.js';
import { solidImage, toBase64 } from '../helpers/images.js';
import { freshDatabase, startTestApp, type TestApp, type TestDatabase } from '../helpers/startTestApp.js';

const TWO_DESCRIBES = /* GraphQL */ `
  mutation ($input: DescribeImageInput!) {
    a: describeImage(input: $input) {
      id
    }
    b: describeImage(input: $input) {
      id
    }
  }
`;
const TYPO = '{ histroy { totalCount } }';
const BAD_ENUM = 'query($f: HistoryFilter) { history(filter: $f) { totalCount } }';

/**
 * A server on a database that holds one API key: production refuses to start without one.
 * The key is made by a first, open start, as `npm run keys -- create` would make it.
 */
async function startWithKey(production: boolean): Promise<{ t: TestApp; key: TestKey; database: TestDatabase }> {
  const database = await freshDatabase('pglite-folder');
  const first = await startTestApp('pglite', { database });
  const key = await createTestKey(first.app.store);
  await first.stop({ keepDatabase: true });
  return { t: await startTestApp('pglite', { database, config: { production } }), key, database };
}

async function overSocket(client: Client, query: string): Promise<string[]> {
  return new Promise((resolve) => {
    client.subscribe(
      { query },
      {
        next: (result) => resolve((result.errors ?? []).map((e) => e.message)),
        error: (error) => resolve((Array.isArray(error) ? error : [error]).map((e: any) => String(e.message))),
        complete: () => resolve([]),
      },
    );
  });
}

describe.each([true, false])('a server with production %s', (production) => {
  let t: TestApp;
  let key: TestKey;
  let input: { image: { base64: string } };
  const ask = (query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse> =>
    gql(t.url, query, variables, key.auth);

  // Two starts on a PGlite folder (one to make the key): slower than one when the machine is busy.
  beforeAll(async () => {
    ({ t, key } = await startWithKey(production));
    input = { image: { base64: toBase64(await solidImage(8, 8)) } };
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(() => {
    t.emulator.resetCalls();
  });

  it(production ? 'gives no field or enum suggestions' : 'suggests fields and enum values', async () => {
    expectErrorCode(await ask(TYPO), 'GRAPHQL_VALIDATION_FAILED');
    const messages = [
      (await ask(TYPO)).errors![0]!.message,
      (await ask(BAD_ENUM, { f: { status: ['FAILD'] } })).errors![0]!.message,
      (await ask(BAD_ENUM, { f: { modelIdd: ['x'] } })).errors![0]!.message,
    ];
    for (const message of messages) {
      if (production) expect(message).not.toMatch(/Did you mean/);
      else expect(message).toMatch(/Did you mean/);
    }
  });

  it(
    production
      ? 'refuses two billable calls in one operation before any reaches the model'
      : 'runs aliased billable calls',
    async () => {
      const res = await ask(TWO_DESCRIBES, { input });
      if (production) {
        expectErrorCode(res, 'GRAPHQL_VALIDATION_FAILED');
        expect(t.emulator.calls).toHaveLength(0);
      } else {
        expect(Object.keys(expectData(res))).toEqual(['a', 'b']);
      }
    },
  );

  it(
    production
      ? 'refuses introspection and hides suggestions over WebSocket too'
      : 'answers introspection over WebSocket',
    async () => {
      const client = createClient({
        url: t.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
        connectionParams: key.auth,
      });
      try {
        const introspection = await overSocket(client, '{ __schema { queryType { name } } }');
        const typo = await overSocket(client, TYPO);
        if (production) {
          expect(introspection.length).toBeGreaterThan(0);
          expect(introspection[0]).toMatch(/introspection/);
          expect(typo[0]).not.toMatch(/Did you mean/);
        } else {
          expect(introspection).toEqual([]);
          expect(typo[0]).toMatch(/Did you mean/);
        }
      } finally {
        await client.dispose();
      }
    },
  );
});
