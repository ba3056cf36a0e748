import type { FinalizeHandler, FinalizeHandlerArguments, FinalizeHandlerOutput, MiddlewareStack } from '@smithy/types';
import type { AttemptLog, ModelAttempt, TokenCounts } from './ModelAttempt.js';
import type { TokenUsage as ConverseUsage } from '@aws-sdk/client-bedrock-runtime';
import { converseTokenCounts, headerTokenCounts } from './visionUsage.js';

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
}

/** Errors raised before the request could leave this machine: Bedrock never saw it, so it was not billed. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Set by connectWithTimeout on the error of a connection that was never made. */
export const CONNECT_FAILED = Symbol.for('bedrock-vision-graphql.connectFailed');

function neverSent(error: SdkErrorShape, depth = 0): boolean {
  if ((error as Record<symbol, unknown>)[CONNECT_FAILED] === true) return true;
  if (error.code !== undefined && NOT_SENT_CODES.has(error.code)) return true;
  // HTTP/2 REFUSED_STREAM: the server declined the stream before processing it.
  if (error.code === 'ERR_HTTP2_STREAM_ERROR' && error.message?.includes('NGHTTP2_REFUSED_STREAM')) return true;
  const cause = error.cause;
  return typeof cause === 'object' && cause !== null && depth < 5 && neverSent(cause as SdkErrorShape, depth + 1);
}

/** What an attempt that threw tells about itself: whether Bedrock answered, and so whether it billed. */
export function attemptFromError(error: unknown, latencyMs: number): ModelAttempt {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const httpStatus = e.$metadata?.httpStatusCode ?? e.$response?.statusCode ?? null;
  const common = {
    httpStatus,
    bedrockRequestId: e.$metadata?.requestId ?? e.$response?.headers?.['x-amzn-requestid'] ?? null,
    errorType: e.name ?? 'Error',
    latencyMs,
  };
  // A 200 whose body then broke (reset, cut, not JSON): the model ran and Bedrock billed it. The
  // token-count headers InvokeModel sends with the status are all of its usage that may survive.
  if (httpStatus !== null && httpStatus >= 200 && httpStatus < 300) {
    const answered = e.name === 'AbortError' ? 'CANCELLED' : 'DAMAGED';
    return { ...common, outcome: answered, billed: true, usage: headerTokenCounts(e.$response?.headers ?? {}) };
  }
  if (httpStatus !== null) return { ...common, outcome: 'REFUSED', billed: false, usage: {} };
  if (neverSent(e)) return { ...common, outcome: 'NOT_SENT', billed: false, usage: {} };
  // Sent, and no status came back: the model may have run, and nobody can tell what it cost.
  return { ...common, outcome: e.name === 'AbortError' ? 'CANCELLED' : 'NO_ANSWER', billed: null, usage: {} };
}

/** What the usage of a successful attempt is, from the HTTP response and the deserialised output. */
export type UsageOf = (response: { headers: Record<string, string | undefined> }, output: unknown) => TokenCounts;

/**
 * Records every HTTP attempt of one command in `log`: a middleware placed right after the SDK's
 * retry middleware runs once per attempt, so it sees each attempt's own response or error.
 */
export function recordAttempts(stack: MiddlewareStack<object, object>, log: AttemptLog, usageOf: UsageOf): void {
  stack.addRelativeTo(
    (next: FinalizeHandler<object, object>) =>
      async (args: FinalizeHandlerArguments<object>): Promise<FinalizeHandlerOutput<object>> => {
        const started = performance.now();
        const latency = () => Math.round(performance.now() - started);
        try {
          const result = await next(args);
          const response = result.response as { statusCode?: number; headers?: Record<string, string | undefined> };
          const headers = response.headers ?? {};
          const output = result.output as { $metadata?: { requestId?: string } };
          log.append({
            outcome: 'ANSWERED',
            httpStatus: response.statusCode ?? null,
            bedrockRequestId: output.$metadata?.requestId ?? headers['x-amzn-requestid'] ?? null,
            errorType: null,
            billed: true,
            usage: usageOf({ headers }, result.output),
            latencyMs: latency(),
          });
          return result;
        } catch (error) {
          log.append(attemptFromError(error, latency()));
          throw error;
        }
      },
    { relation: 'after', toMiddleware: 'retryMiddleware', name: 'bvgRecordAttemptMiddleware', override: true },
  );
}

/** The command, recording its attempts in `log` when the caller gave one. */
export function recorded<C extends { middlewareStack: object }>(
  command: C,
  log: AttemptLog | undefined,
  usageOf: UsageOf,
): C {
  if (log !== undefined)
    recordAttempts(command.middlewareStack as unknown as MiddlewareStack<object, object>, log, usageOf);
  return command;
}

/** Converse's usage is in its output; an answer without it records none. */
export const converseUsageOf: UsageOf = (_response, output) =>
  converseTokenCounts((output as { usage?: ConverseUsage }).usage);

/** InvokeModel's usage from the token-count headers; the body's own usage is added once it is parsed. */
export const headerUsageOf: UsageOf = (response) => headerTokenCounts(response.headers);

/** A stream's usage arrives in its events (see readModelStream). */
export const streamUsageOf: UsageOf = () => ({});
