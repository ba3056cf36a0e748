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

interface SocketResult {
  readonly data?: Record<string, unknown> | null;
  readonly errors: { code: unknown; message: string }[];
}

/** Runs one operation over the socket: its data, and its errors' codes and messages (none when it succeeded). */
async function overSocket(client: Client, query: string, variables?: Record<string, unknown>): Promise<SocketResult> {
  const errorsOf = (errors: readonly any[]) =>
    errors.map((e) => ({ code: e.extensions?.code, message: String(e.message) }));
  return new Promise((resolve) => {
    client.subscribe(
      { query, variables },
      {
        next: (result) => resolve({ data: result.data, errors: errorsOf(result.errors ?? []) }),
        error: (error) => resolve({ errors: errorsOf(Array.isArray(error) ? error : [error]) }),
        complete: () => resolve({ errors: [] }),
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
  const socketClient = (): Client =>
    createClient({
      url: t.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
      connectionParams: key.auth,
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
      const client = socketClient();
      try {
        const introspection = (await overSocket(client, '{ __schema { queryType { name } } }')).errors;
        const typo = (await overSocket(client, TYPO)).errors;
        if (production) {
          expect(introspection.length).toBeGreaterThan(0);
          expect(introspection[0]!.message).toMatch(/introspection/);
          expect(typo[0]!.message).not.toMatch(/Did you mean/);
        } else {
          expect(introspection).toEqual([]);
          expect(typo[0]!.message).toMatch(/Did you mean/);
        }
      } finally {
        await client.dispose();
      }
    },
  );

  it(
    production
      ? 'refuses two billable calls in one operation over WebSocket too, before any reaches the model'
      : 'runs aliased billable calls over WebSocket',
    async () => {
      const client = socketClient();
      try {
        const result = await overSocket(client, TWO_DESCRIBES, { input });
        if (production) {
          expect(result.errors.map((e) => e.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
          expect(result.errors[0]!.message).toMatch(/At most 1 describeImage/);
          expect(t.emulator.calls).toHaveLength(0);
        } else {
          expect(result.errors).toEqual([]);
          expect(Object.keys(result.data ?? {})).toEqual(['a', 'b']);
          expect(t.emulator.calls).toHaveLength(2);
        }
      } finally {
        await client.dispose();
      }
    },
  );
});
