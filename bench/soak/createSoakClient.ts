import { readFileSync } from 'node:fs';
import { createClient, type Client } from 'graphql-ws';
import { Pool } from 'undici';
import WebSocket from 'ws';
import { answerOf, recordAnswer, type ClientAnswer, type ClientLog } from '../invariants/clientLog.js';
import { newRequestToken, promptWithToken } from '../invariants/requestToken.js';
import type { Outcome } from '../overhead/runOpenLoop.js';

const DESCRIBE = 'mutation($input: DescribeImageInput!){ describeImage(input:$input){ id status } }';
const STREAM = 'subscription($input: DescribeImageInput!){ describeImageStream(input:$input){ description { id } } }';
const SCHEMA = new URL('../../../schema.graphql', import.meta.url);
/** Duplicates and cache repeats pick among this many recent requests. */
const RECENT = 500;

/** What one scheduled request is. */
export type SoakKind = 'unique' | 'duplicate' | 'cached' | 'stream';

/**
 * Whether this checkout's API has the exact-request cache (`cache` in `DescribeImageInput`), read from the schema
 * the API serves, so the soak runs against a checkout with or without it.
 */
export function apiHasCache(): boolean {
  const input = /input DescribeImageInput \{([^}]*)\}/.exec(readFileSync(SCHEMA, 'utf8'))?.[1] ?? '';
  return /^\s*cache\s*:/m.test(input);
}

interface SentRequest {
  readonly clientRequestId: string;
  readonly token: string;
}

export interface SoakClient {
  readonly log: ClientLog;
  readonly send: (kind: SoakKind, signal: AbortSignal) => Promise<Outcome>;
  readonly close: () => Promise<void>;
}

function outcomeOf(answer: ClientAnswer): Outcome {
  switch (answer.kind) {
    case 'row':
      return { code: answer.code ?? 'OK' };
    case 'refused':
      return { code: `${answer.code} (refused, no row)` };
    case 'lost':
      return { code: `LOST ${answer.reason.slice(0, 60)}` };
    default: {
      const unreachable: never = answer;
      return unreachable;
    }
  }
}

/**
 * The soak's clients: describeImage over HTTP/1.1 keep-alive (up to 512 connections) and describeImageStream over
 * one graphql-ws socket, each request with its own clientRequestId and a token in its prompt. Every answer goes
 * into `log` for the invariant checker.
 */
export function createSoakClient(origin: string, imageBase64: string, cache: boolean): SoakClient {
  const pool = new Pool(origin, { connections: 512, pipelining: 1 });
  const ws: Client = createClient({
    url: `${origin.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 3,
    lazy: true,
    lazyCloseTimeout: 60_000,
  });
  const log: ClientLog = new Map();
  const recent: SentRequest[] = [];
  const succeeded: SentRequest[] = [];
  const remember = (list: SentRequest[], request: SentRequest) => {
    list.push(request);
    if (list.length > RECENT) list.shift();
  };
  const pick = (list: readonly SentRequest[]) => list[Math.floor(Math.random() * list.length)];
  const input = (request: SentRequest) => ({
    image: { base64: imageBase64 },
    prompt: promptWithToken('Describe this image.', request.token),
    maxTokens: 200,
    clientRequestId: request.clientRequestId,
    ...(cache ? { cache: true } : {}),
  });

  const post = async (request: SentRequest, signal: AbortSignal): Promise<ClientAnswer> => {
    try {
      const response = await pool.request({
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: DESCRIBE, variables: { input: input(request) } }),
        signal,
      });
      const text = await response.body.text();
      try {
        return answerOf(JSON.parse(text) as Parameters<typeof answerOf>[0]);
      } catch {
        return { kind: 'lost', reason: `HTTP ${response.statusCode}, not JSON` };
      }
    } catch (error) {
      return { kind: 'lost', reason: signal.aborted ? 'timeout' : String(error) };
    }
  };

  const stream = (request: SentRequest, signal: AbortSignal) =>
    new Promise<ClientAnswer>((resolve) => {
      let last: unknown;
      const stop = ws.subscribe(
        { query: STREAM, variables: { input: input(request) } },
        {
          next: (result) => {
            if (result.errors) resolve(answerOf({ errors: result.errors }));
            else last = result.data;
          },
          error: (error) =>
            resolve(
              Array.isArray(error)
                ? answerOf({ errors: error as Parameters<typeof answerOf>[0]['errors'] })
                : { kind: 'lost', reason: String(error) },
            ),
          complete: () => resolve(answerOf({ data: last })),
        },
      );
      signal.addEventListener('abort', () => {
        stop();
        resolve({ kind: 'lost', reason: 'timeout' });
      });
    });

  const send = async (kind: SoakKind, signal: AbortSignal): Promise<Outcome> => {
    const fresh = { clientRequestId: crypto.randomUUID(), token: newRequestToken() };
    const request =
      kind === 'duplicate'
        ? (pick(recent) ?? fresh)
        : kind === 'cached'
          ? { clientRequestId: fresh.clientRequestId, token: (pick(succeeded) ?? fresh).token }
          : fresh;
    const answer = await (kind === 'stream' ? stream(request, signal) : post(request, signal));
    recordAnswer(log, request.clientRequestId, request.token, answer);
    if (kind === 'unique') {
      remember(recent, request);
      if (answer.kind === 'row' && answer.code === undefined) remember(succeeded, request);
    }
    return outcomeOf(answer);
  };

  return {
    log,
    send,
    close: async () => {
      await ws.dispose();
      await pool.close();
    },
  };
}
