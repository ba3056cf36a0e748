import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.js';
import { OPERATION_LIMITS } from '../../src/graphql/index.js';
import { startTestApp, type TestApp } from '../helpers/startTestApp.js';

const TRUSTED = 'https://app.example.com';

/** Tries a WebSocket upgrade with `origin` and reports whether the server accepted it. */
function upgrade(url: string, origin: string | undefined): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', {
      headers: origin === undefined ? {} : { origin },
    });
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

/** A graphql-ws client whose socket sends `origin`, as a browser page on that origin would. */
function clientFrom(url: string, origin?: string): Client {
  class FromOrigin extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: origin === undefined ? {} : { origin } });
    }
  }
  return createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: FromOrigin, retryAttempts: 0, lazy: true });
}

/** Runs one operation over the socket and returns its errors' codes and messages. */
async function errorsOf(
  client: Client,
  query: string,
  request: { operationName?: string; variables?: Record<string, unknown> } = {},
): Promise<{ code: unknown; message: string }[]> {
  return new Promise((resolve) => {
    client.subscribe(
      { query, ...request },
      {
        next: (result) => resolve((result.errors ?? []).map((e) => ({ code: e.extensions?.code, message: e.message }))),
        error: (error) =>
          resolve(
            (Array.isArray(error) ? error : [error]).map((e: any) => ({
              code: e.extensions?.code,
              message: e.message,
            })),
          ),
        complete: () => resolve([]),
      },
    );
  });
}

describe('GraphQL over WebSocket against a hostile page', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('pglite', {
      config: { http: { ...loadConfig({}).http, corsOrigins: [TRUSTED] } },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('refuses the upgrade from a page on another origin', async () => {
    expect(await upgrade(t.url, 'https://evil.example')).toBe(403);
    expect(await upgrade(t.url, 'null')).toBe(403);
  });

  it('accepts its own origin, an origin in CORS_ORIGINS, and a client that sends no Origin', async () => {
    const own = new URL(t.url).origin;
    expect(await upgrade(t.url, own)).toBe('open');
    expect(await upgrade(t.url, TRUSTED)).toBe('open');
    expect(await upgrade(t.url, undefined)).toBe('open');
  });

  it('refuses an operation it cannot identify or whose variables do not coerce with the code HTTP gives, not INTERNAL_SERVER_ERROR', async () => {
    const stream = 'subscription S($input: DescribeImageInput!) { describeImageStream(input: $input) { delta } }';
    const cases = [
      { query: stream, variables: {} },
      { query: stream, variables: { input: { image: { base64: 1 }, maxTokens: 'many' } } },
      { query: stream, operationName: 'Other', variables: {} },
      { query: 'query A { models { id } } query B { models { id } }' },
    ];
    const client = clientFrom(t.url);
    try {
      for (const request of cases) {
        const res = await fetch(t.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(request),
        });
        const httpCodes = ((await res.json()) as { errors: { extensions: { code: unknown } }[] }).errors.map(
          (e) => e.extensions.code,
        );
        const wsCodes = (await errorsOf(client, request.query, request)).map((e) => e.code);
        expect(wsCodes.length).toBeGreaterThan(0);
        expect(wsCodes).not.toContain('INTERNAL_SERVER_ERROR');
        expect(new Set(wsCodes)).toEqual(new Set(httpCodes));
      }
    } finally {
      await client.dispose();
    }
  });

  it('applies the document byte cap over WebSocket as over HTTP', async () => {
    const client = clientFrom(t.url);
    try {
      const whitespace = `{ __typename ${' '.repeat(OPERATION_LIMITS.maxDocumentBytes)}}`;
      const errors = await errorsOf(client, whitespace);
      expect(errors.map((e) => e.code)).toEqual(['GRAPHQL_PARSE_FAILED']);
      expect(errors[0]!.message).toContain(`larger than ${OPERATION_LIMITS.maxDocumentBytes} bytes`);
    } finally {
      await client.dispose();
    }
  });
});
