import { Pool } from 'undici';
import { BENCH_MAX_TOKENS, BENCH_PROMPT } from './createConverseSender.js';
import type { Outcome, Send } from './runOpenLoop.js';

const DESCRIBE = `mutation($input: DescribeImageInput!){ describeImage(input:$input){ id status text usage{ inputTokens outputTokens } costUsd latencyMs } }`;
const HISTORY_COUNTS = `{ all: history { totalCount } pending: history(filter:{status:[PENDING]}) { totalCount } }`;

interface GraphqlBody {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: readonly { extensions?: { code?: unknown; retryAfterSeconds?: unknown } }[];
}

export interface GraphqlClient {
  /** Path (b): `describeImage` of the JPEG over HTTP, the request the Converse sender makes for (a). */
  readonly describe: Send;
  readonly historyCounts: () => Promise<{ all: number; pending: number }>;
  readonly close: () => Promise<void>;
}

/**
 * A client of the API as a user's program would be: JSON over HTTP/1.1 keep-alive, one request per connection at a
 * time (no pipelining), up to `connections` sockets. Past that, undici queues requests in the generator, and the
 * open loop counts that wait in the latency.
 */
export function createGraphqlClient(origin: string, jpeg: Uint8Array, connections: number): GraphqlClient {
  const pool = new Pool(origin, { connections, pipelining: 1 });
  const body = Buffer.from(
    JSON.stringify({
      query: DESCRIBE,
      variables: {
        input: {
          image: { base64: Buffer.from(jpeg).toString('base64') },
          prompt: BENCH_PROMPT,
          maxTokens: BENCH_MAX_TOKENS,
        },
      },
    }),
  );
  const post = async (payload: Buffer, signal: AbortSignal) => {
    const response = await pool.request({
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json' },
      body: payload,
      signal,
    });
    const text = await response.body.text();
    return { status: response.statusCode, retryAfter: response.headers['retry-after'], text };
  };

  const describe: Send = async (signal) => {
    try {
      const { status, retryAfter, text } = await post(body, signal);
      return outcomeOf(status, retryAfter !== undefined, text);
    } catch (error) {
      if (signal.aborted) return { code: 'TIMEOUT' };
      const e = error as { code?: string; name?: string };
      return { code: e.code ?? e.name ?? 'ERROR' };
    }
  };

  const historyCounts = async () => {
    const { status, text } = await post(
      Buffer.from(JSON.stringify({ query: HISTORY_COUNTS })),
      AbortSignal.timeout(30_000),
    );
    const parsed = JSON.parse(text) as GraphqlBody;
    const count = (key: string) => (parsed.data?.[key] as { totalCount?: number } | undefined)?.totalCount;
    const [all, pending] = [count('all'), count('pending')];
    if (status !== 200 || all === undefined || pending === undefined) {
      throw new Error(`history counts: HTTP ${status} ${text.slice(0, 300)}`);
    }
    return { all, pending };
  };

  return { describe, historyCounts, close: () => pool.close() };
}

function outcomeOf(status: number, retryAfterHeader: boolean, text: string): Outcome {
  let parsed: GraphqlBody | undefined;
  try {
    parsed = JSON.parse(text) as GraphqlBody;
  } catch {
    parsed = undefined;
  }
  const error = parsed?.errors?.[0];
  const refusal =
    status === 503 ? { retryAfterHeader, retryAfterExtension: error?.extensions?.retryAfterSeconds !== undefined } : {};
  if (parsed === undefined) return { code: `HTTP ${status} (not JSON)`, ...refusal };
  if (error !== undefined) {
    const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'NO_CODE';
    return { code: `${code} (HTTP ${status})`, ...refusal };
  }
  const described = parsed.data?.['describeImage'] as { status?: string } | undefined;
  if (status !== 200) return { code: `HTTP ${status}` };
  if (described?.status !== 'SUCCEEDED') return { code: `STATUS ${described?.status ?? 'missing'}` };
  return { code: 'OK' };
}
